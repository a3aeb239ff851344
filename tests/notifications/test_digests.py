"""The email digest: one mail per sync per person over a real SMTP server, exactly once through
crashes, a second run of the task and a mail server that is down, in the person's language."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from hotlines.models import DigestStatus, EmailDigest, NotificationKind, UserPreference
from hotlines.selectors.notifications import digest_recipient_ids
from hotlines.services.digests import (
    email_digest_claim,
    email_digest_deliver,
    email_digests_create,
    email_digests_send_due,
    email_digests_send_run,
)
from hotlines.tasks.notifications import send_email_digests
from tests.factories import (
    HotlineFactory,
    NotificationFactory,
    SavedViewFactory,
    SyncRunFactory,
    UserFactory,
    WatchEventFactory,
    WatchFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def run():
    return SyncRunFactory()


def emailed_watch(user, **kwargs):
    return WatchFactory(user=user, email=True, **kwargs)


def person(username: str, **kwargs):
    return UserFactory(username=username, email=f"{username}@partner.example", roles=["Viewer"], **kwargs)


def two_watches_changed(user, run):
    """Two emailed watches of `user` changed in `run`: a view (a hotline disabled) and a hotline."""
    view = SavedViewFactory(owner=user, name="Viettel tắt")
    by_view = NotificationFactory(user=user, sync_run=run, watch=emailed_watch(user, view=view), subject=view.name)
    hotline = HotlineFactory(connection=run.connection, hotline="19006868", name="Tổng đài CSKH")
    WatchEventFactory(notification=by_view, hotline=hotline, changes=[{"field": "status", "old": "P", "new": "N"}])
    single = HotlineFactory(connection=run.connection, hotline="02438251234")
    by_hotline = NotificationFactory(
        user=user,
        sync_run=run,
        watch=emailed_watch(user, view=None, hotline=single),
        subject=single.hotline,
        changed=1,
    )
    WatchEventFactory(notification=by_hotline, hotline=single, changes=[{"field": "removed", "old": "", "new": ""}])
    return hotline, single


def parts(message) -> dict[str, str]:
    return {part.get_content_type(): part.get_content() for part in message.walk() if not part.is_multipart()}


# --- who gets one ------------------------------------------------------------------------------


def test_recipients_are_people_with_an_emailed_watch_changed_in_the_run(run):
    emailed, dashboard_only, no_address, inactive, other_run = (
        person("emailed"),
        person("dashboard"),
        UserFactory(username="noaddress", email=""),
        person("inactive", is_active=False),
        person("otherrun"),
    )
    for user in (emailed, no_address, inactive):
        NotificationFactory(user=user, sync_run=run, watch=emailed_watch(user))
    NotificationFactory(user=dashboard_only, sync_run=run)  # its watch is dashboard only
    NotificationFactory(user=other_run, watch=emailed_watch(other_run))
    assert digest_recipient_ids(sync_run_id=run.pk) == [emailed.pk]


def test_a_sync_failure_is_emailed_to_who_receives_email(run):
    with_email, without = person("withemail"), person("without")
    emailed_watch(with_email)
    for user in (with_email, without):
        NotificationFactory(user=user, sync_run=run, kind=NotificationKind.SYNC_FAILED, watch=None)
    assert digest_recipient_ids(sync_run_id=run.pk) == [with_email.pk]


# --- over a real SMTP server -------------------------------------------------------------------


def test_one_multipart_mail_for_several_watches_with_absolute_links(smtp_server, run):
    user = person("lan")
    hotline, single = two_watches_changed(user, run)
    report = email_digests_send_run(sync_run_id=run.pk)
    assert report.as_dict()["sent"] == 1
    [message] = smtp_server.inbox.messages
    assert message["To"] == "lan@partner.example"
    assert message["From"] == "eTelecom admin <noreply@partner.example>"
    assert message["Subject"] == "eTelecom hotlines: changes in 2 watches"
    assert message["Auto-Submitted"] == "auto-generated"
    digest = EmailDigest.objects.get()
    assert message["Message-ID"] == f"<digest-{digest.pk}.run-{run.pk}.user-{user.pk}@hotlines.partner.example>"
    assert message.get_content_type() == "multipart/alternative"
    content = parts(message)
    assert set(content) == {"text/plain", "text/html"}
    text, html = content["text/plain"], content["text/html"]
    for body in (text, html):
        assert "Viettel tắt" in body and "19006868" in body and "02438251234" in body
        assert "Status: Enabled → Disabled" in body
        assert "Removed" in body
        assert f"https://hotlines.partner.example/hotlines/{hotline.pk}/" in body
        assert f"https://hotlines.partner.example/hotlines/{single.pk}/" in body
        assert "https://hotlines.partner.example/notifications/" in body
    assert f'href="https://hotlines.partner.example/hotlines/{hotline.pk}/"' in html
    assert "/syncs/" not in text + html  # a Viewer may not open the Syncs pages
    assert digest.status == DigestStatus.SENT and digest.tries == 1 and digest.sent_at


def test_the_mail_is_in_the_persons_language(smtp_server, run):
    user = person("minh")
    UserPreference.objects.create(user=user, language="vi")
    two_watches_changed(user, run)
    english = person("john")
    two_watches_changed(english, run)
    email_digests_send_run(sync_run_id=run.pk)
    by_to = {message["To"]: message for message in smtp_server.inbox.messages}
    vietnamese = by_to["minh@partner.example"]
    assert vietnamese["Content-Language"] == "vi"
    html = parts(vietnamese)["text/html"]
    assert '<html lang="vi">' in html
    # The history's words, already in the catalogue, as the hotline's page says them in Vietnamese.
    for body in (html, parts(vietnamese)["text/plain"]):
        assert "Trạng thái: Đang bật → Đã tắt" in body and "Bị gỡ" in body
        assert "Status" not in body
    assert by_to["john@partner.example"]["Content-Language"] == "en"
    assert "Hello john," in parts(by_to["john@partner.example"])["text/plain"]


def test_the_task_run_twice_sends_once(smtp_server, run):
    user = person("twice")
    two_watches_changed(user, run)
    assert send_email_digests.call(run.pk)["sent"] == 1
    assert send_email_digests.call(run.pk)["sent"] == 0
    assert len(smtp_server.inbox.messages) == 1
    assert EmailDigest.objects.count() == 1


def test_a_digest_whose_worker_died_mid_delivery_is_sent_once_after_the_claim_goes_stale(
    smtp_server, run, settings, monkeypatch
):
    user = person("crash")
    two_watches_changed(user, run)

    def killed(**kwargs):
        raise SystemExit("worker killed")  # between the claim and the SMTP conversation

    monkeypatch.setattr("hotlines.services.digests.email_digest_message", killed)
    with pytest.raises(SystemExit):
        send_email_digests.call(run.pk)
    monkeypatch.undo()
    # Before it sent anything the task queued a sweep for when its claim goes stale: the worker
    # that picks it up after the restart sends the digest.
    [sweep] = DBTaskResult.objects.filter(task_path="hotlines.tasks.notifications.retry_email_digests")
    assert sweep.run_after >= timezone.now() + timedelta(seconds=settings.EMAIL_DIGEST_CLAIM_TIMEOUT - 5)
    claimed = EmailDigest.objects.get()
    assert claimed.status == DigestStatus.SENDING and claimed.tries == 1
    # Another worker (the next sync's task, the retry sweep) does not take a fresh claim...
    assert email_digests_send_due().as_dict()["sent"] == 0
    assert smtp_server.inbox.messages == []
    # ... but takes a stale one, and sends it once, with the same Message-ID as any earlier copy.
    later = timezone.now() + timedelta(seconds=settings.EMAIL_DIGEST_CLAIM_TIMEOUT + 1)
    assert email_digests_send_due(now=later).as_dict()["sent"] == 1
    assert email_digests_send_due(now=later + timedelta(hours=1)).as_dict()["sent"] == 0
    assert len(smtp_server.inbox.messages) == 1
    digest = EmailDigest.objects.get()
    assert digest.status == DigestStatus.SENT and digest.tries == 2


def test_two_workers_claiming_at_once_one_wins(run):
    user = person("race")
    two_watches_changed(user, run)
    [digest_id] = email_digests_create(sync_run_id=run.pk)
    assert email_digest_claim(digest_id=digest_id) is not None
    assert email_digest_claim(digest_id=digest_id) is None


def test_smtp_down_then_up_is_retried_with_backoff_and_sent_once(smtp_server, run, settings):
    settings.EMAIL_DIGEST_BACKOFF = 60
    user = person("down")
    two_watches_changed(user, run)
    smtp_server.stop()
    start = timezone.now()
    report = email_digests_send_run(sync_run_id=run.pk, now=start)
    assert report.as_dict()["retrying"] == 1
    digest = EmailDigest.objects.get()
    assert digest.status == DigestStatus.PENDING and digest.tries == 1
    assert "ConnectionRefusedError" in digest.error
    # The retry is scheduled for when the backoff ends (beside the sweep for a worker killed mid-delivery).
    retries = DBTaskResult.objects.filter(task_path="hotlines.tasks.notifications.retry_email_digests")
    assert sorted(int((task.run_after - start).total_seconds()) for task in retries) == [60, 601]
    smtp_server.start()
    assert email_digests_send_due(now=start + timedelta(seconds=30)).as_dict()["sent"] == 0  # not due yet
    assert email_digests_send_due(now=start + timedelta(seconds=61)).as_dict()["sent"] == 1
    assert len(smtp_server.inbox.messages) == 1
    digest.refresh_from_db()
    assert digest.status == DigestStatus.SENT and digest.tries == 2


def test_a_refusing_server_is_retried_up_to_the_limit_then_failed_and_logged(smtp_server, run, settings, caplog):
    settings.EMAIL_DIGEST_MAX_TRIES = 3
    settings.EMAIL_DIGEST_BACKOFF = 10
    user = person("refused")
    two_watches_changed(user, run)
    smtp_server.inbox.refuse = "451 4.3.0 Try again later"
    now = timezone.now()
    email_digests_send_run(sync_run_id=run.pk, now=now)
    # Backoff doubles: 10 s after the first try, 20 s after the second.
    assert email_digests_send_due(now=now + timedelta(seconds=11)).as_dict()["retrying"] == 1
    with caplog.at_level(logging.ERROR, logger="hotlines.services.digests"):
        assert email_digests_send_due(now=now + timedelta(seconds=11 + 19)).as_dict()["failed"] == 0
        assert email_digests_send_due(now=now + timedelta(seconds=11 + 21)).as_dict()["failed"] == 1
    digest = EmailDigest.objects.get()
    assert digest.status == DigestStatus.FAILED and digest.tries == 3
    assert "451" in digest.error
    assert any("failed" in record.getMessage() and str(digest.pk) in record.getMessage() for record in caplog.records)
    smtp_server.inbox.refuse = ""
    assert email_digests_send_due(now=now + timedelta(days=1)).as_dict()["sent"] == 0  # failed stays failed
    assert smtp_server.inbox.messages == []


def test_hostile_names_are_escaped_in_the_html_part_and_huge_values_bounded(smtp_server, run):
    user = person("hostile", first_name='<img src=x onerror="alert(1)">')
    view = SavedViewFactory(owner=user, name="<script>alert('view')</script>")
    notification = NotificationFactory(user=user, sync_run=run, watch=emailed_watch(user, view=view), subject=view.name)
    hotline = HotlineFactory(connection=run.connection, name="<b onclick=x>Tổng đài</b>")
    huge = "y" * 1_000_000
    WatchEventFactory(
        notification=notification,
        hotline=hotline,
        changes=[{"field": "description", "old": "<i>old</i>", "new": huge}, {"field": "name", "old": [1, [2]]}],
    )
    email_digests_send_run(sync_run_id=run.pk)
    [message] = smtp_server.inbox.messages
    html = parts(message)["text/html"]
    assert "<script>" not in html and "<b onclick" not in html and "<img src=x" not in html and "<i>old" not in html
    assert "&lt;script&gt;" in html and "&lt;b onclick=x&gt;" in html
    assert "y" * 201 not in html and "y" * 201 not in parts(message)["text/plain"]
    assert len(message.as_bytes()) < 50_000
    assert "\n" not in message["Subject"]


def test_a_digest_with_nothing_left_to_tell_is_closed_without_a_mail(smtp_server, run):
    user = person("gone")
    two_watches_changed(user, run)
    [digest_id] = email_digests_create(sync_run_id=run.pk)
    user.notifications.all().delete()
    assert email_digest_deliver(digest_id=digest_id) == "sent"
    assert smtp_server.inbox.messages == []
    assert EmailDigest.objects.get().status == DigestStatus.SENT


def test_a_failed_sync_alone_is_told_with_its_reason_and_the_run_for_who_may_see_syncs(smtp_server, run):
    run.status, run.error = "failed", "eTelecom rejected the API key (401 unauthenticated): invalid token"
    run.save()
    operator = UserFactory(username="op", email="op@partner.example", roles=["Operator"])
    emailed_watch(operator)
    NotificationFactory(user=operator, sync_run=run, kind=NotificationKind.SYNC_FAILED, watch=None, subject="")
    email_digests_send_run(sync_run_id=run.pk)
    [message] = smtp_server.inbox.messages
    assert message["Subject"] == "eTelecom hotlines: a sync failed"
    text = parts(message)["text/plain"]
    assert "The sync failed" in text and "401 unauthenticated" in text
    assert "changed what you watch" not in text
    assert f"https://hotlines.partner.example/syncs/{run.pk}/" in text


def test_a_hostile_address_fails_its_own_digest_only(smtp_server, run):
    hostile = UserFactory(
        username="hostile-address", email="x@partner.example\r\nBcc: all@partner.example", roles=["Viewer"]
    )
    two_watches_changed(hostile, run)
    fine = person("fine")
    two_watches_changed(fine, run)
    report = email_digests_send_run(sync_run_id=run.pk)
    assert report.as_dict()["sent"] == 1 and report.as_dict()["retrying"] == 1
    [message] = smtp_server.inbox.messages
    assert message["To"] == "fine@partner.example"
    assert all("all@partner.example" not in envelope.rcpt_tos for envelope in smtp_server.inbox.envelopes)
    digest = EmailDigest.objects.get(user=hostile)
    assert digest.status == DigestStatus.PENDING and digest.error
