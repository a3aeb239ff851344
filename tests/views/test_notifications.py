"""The Notifications page, the bell and marking read: only my own, grouped, bounded, constant queries."""

from __future__ import annotations

import re
import time

import pytest
from django.db import connection as db_connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hotlines.middleware import SEEN_KEY
from hotlines.models import Notification, NotificationKind, SyncRun
from hotlines.selectors.notifications import EVENTS_SHOWN, PER_PAGE
from tests.factories import (
    HotlineFactory,
    NotificationFactory,
    SyncRunFactory,
    UserFactory,
    WatchEventFactory,
    WatchFactory,
)

pytestmark = pytest.mark.django_db

LIST = reverse("hotlines:notifications")
BELL = reverse("hotlines:notification-bell")
READ_ALL = reverse("hotlines:notification-read-all")


def read_url(notification) -> str:
    return reverse("hotlines:notification-read", args=[notification.pk])


@pytest.fixture
def me(db):
    return UserFactory(username="me", roles=["Viewer"])


@pytest.fixture
def my_client(client, me):
    client.force_login(me)
    return client


def test_the_bell_counts_my_unread_notifications_only(my_client, me):
    NotificationFactory.create_batch(3, user=me)
    NotificationFactory(user=me, read_at="2026-01-01T00:00:00Z")
    NotificationFactory()  # somebody else's
    response = my_client.get(BELL)
    html = response.content.decode()
    assert "3 unread notifications" in html
    assert 'class="bell-count" aria-hidden="true">3<' in html
    assert response["Cache-Control"] == "no-store"
    # The answer is the bell alone, with no htmx of its own: the slot around it, which stays, keeps
    # asking (its "load" fires once, when the page is shown, never for the answer swapped into it).
    assert "hx-" not in html


def test_the_bell_is_one_count_query(my_client, me):
    NotificationFactory.create_batch(5, user=me)
    my_client.get(BELL)  # the session and user, warmed
    with CaptureQueriesContext(db_connection) as queries:
        my_client.get(BELL)
    counts = [q["sql"] for q in queries if "hotlines_notification" in q["sql"]]
    assert len(counts) == 1 and "COUNT(" in counts[0].upper()
    assert '"read_at" IS NULL' in counts[0]


def test_every_page_has_the_bell_for_people_signed_in_and_none_for_anonymous(client, my_client, me):
    page = my_client.get(reverse("hotlines:home")).content.decode()
    assert 'id="notification-bell"' in page
    # The slot around it asks for it, and stays: it replaces only the bell inside it.
    slot = re.search(r'<span id="notification-bell-slot"[^>]*>', page)[0]
    assert f'hx-get="{BELL}"' in slot and 'hx-trigger="load, every 60s, notifications-changed from:body"' in slot
    assert 'hx-swap="innerHTML"' in slot and 'hx-sync="this:replace"' in slot
    client.logout()
    login = client.get(reverse("login")).content.decode()
    assert "notification-bell" not in login
    assert client.get(BELL).status_code == 302


def test_the_bell_without_unread_says_so(my_client):
    html = my_client.get(BELL).content.decode()
    assert "Notifications, none unread" in html and "bell-count" not in html


def test_the_page_lists_mine_grouped_per_sync_newest_first_with_their_events(my_client, me):
    older, newer = SyncRunFactory(), SyncRunFactory()
    old = NotificationFactory(user=me, sync_run=older, subject="Old view")
    hotline = HotlineFactory(hotline="19006868", name="Tổng đài CSKH")
    first = NotificationFactory(user=me, sync_run=newer, subject="Disabled Viettel", entered=1, changed=1)
    second = NotificationFactory(user=me, sync_run=newer, subject="Second view")
    WatchEventFactory(notification=first, hotline=hotline, changes=[{"field": "status", "old": "P", "new": "N"}])
    WatchEventFactory(notification=first, kind="entered", changes=[])
    NotificationFactory(subject="Not mine")
    html = my_client.get(LIST).content.decode()
    assert "Not mine" not in html
    assert html.index("Disabled Viettel") < html.index("Old view")
    assert html.count('class="card notification-group"') == 2
    # The history's wording: the field's label, the statuses by their names.
    assert '<strong>Status</strong>: <span class="old">Enabled</span> → <span class="new">Disabled</span>' in html
    assert "entered the view" in html
    assert reverse("hotlines:detail", args=[hotline.pk]) in html
    assert f'id="notification-{old.pk}"' in html and f'id="notification-{second.pk}"' in html
    assert html.count("notification-unread") == 3


def test_a_notification_links_to_its_view_or_hotline(my_client, me):
    hotline = HotlineFactory()
    by_hotline = NotificationFactory(user=me, watch=WatchFactory(user=me, view=None, hotline=hotline))
    by_view = NotificationFactory(user=me)
    html = my_client.get(LIST).content.decode()
    assert f'href="{reverse("hotlines:detail", args=[hotline.pk])}"' in html
    view = by_view.watch.view
    try:
        expected = view.get_absolute_url()
    except Exception:  # the saved views' own page is another part of the issue: until merged, the list filtered
        expected = reverse("hotlines:list") + "?" + view.query
    assert f'href="{expected}"' in html
    assert by_hotline.pk


def test_a_failed_sync_says_why_and_links_to_the_run_for_who_may_see_syncs(client, me, django_user_model):
    run = SyncRunFactory(status="failed", error="eTelecom rejected the API key (401 unauthenticated)")
    NotificationFactory(user=me, sync_run=run, kind=NotificationKind.SYNC_FAILED, watch=None, subject="")
    client.force_login(me)
    html = client.get(LIST).content.decode()
    assert "The sync failed" in html and "rejected the API key (401 unauthenticated)" in html
    assert reverse("hotlines:sync-detail", args=[run.pk]) not in html  # a Viewer may not see syncs
    operator = UserFactory(username="op", roles=["Operator"])
    NotificationFactory(user=operator, sync_run=run, kind=NotificationKind.SYNC_FAILED, watch=None, subject="")
    client.force_login(operator)
    assert reverse("hotlines:sync-detail", args=[run.pk]) in client.get(LIST).content.decode()


def test_mark_one_read_is_post_only_and_mine_only(my_client, me):
    mine = NotificationFactory(user=me)
    theirs = NotificationFactory()
    assert my_client.get(read_url(mine)).status_code == 405
    assert my_client.post(read_url(theirs)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    response = my_client.post(read_url(mine), {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == LIST  # never off-site
    mine.refresh_from_db()
    assert mine.read_at is not None
    first_read = mine.read_at
    my_client.post(read_url(mine))
    mine.refresh_from_db()
    assert mine.read_at == first_read


def test_mark_one_read_with_htmx_returns_the_item_and_tells_the_bell(my_client, me):
    mine = NotificationFactory(user=me, subject="Watched view")
    response = my_client.post(read_url(mine), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Trigger"] == '{"notifications-changed": {}}'
    assert html.strip().startswith(f'<li id="notification-{mine.pk}" class="notification">')
    assert "Mark read" not in html


def test_mark_all_read_marks_mine_only_and_clears_the_bell(my_client, me):
    NotificationFactory.create_batch(3, user=me)
    theirs = NotificationFactory()
    response = my_client.post(READ_ALL, {"next": LIST + "?page=1"})
    assert response.status_code == 302 and response["Location"] == LIST + "?page=1"
    assert not Notification.objects.filter(user=me, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert "Notifications, none unread" in my_client.get(BELL).content.decode()
    page = my_client.get(LIST).content.decode()
    assert "All notifications are marked read." in page and "notification-unread" not in page
    assert my_client.get(READ_ALL).status_code == 405


def test_mark_all_read_with_htmx_returns_the_list(my_client, me):
    NotificationFactory.create_batch(2, user=me)
    response = my_client.post(READ_ALL + "?page=1", headers={"HX-Request": "true"})
    assert response["HX-Trigger"] == '{"notifications-changed": {}}'
    html = response.content.decode()
    assert 'id="notifications"' in html and "Nothing unread." in html


@pytest.mark.parametrize("page", ["2", "999999", "abc", "-1", "1" * 50, "1.5"])
def test_any_page_number_is_a_page_never_a_500(my_client, me, page):
    NotificationFactory.create_batch(PER_PAGE + 1, user=me, sync_run=SyncRunFactory())
    response = my_client.get(LIST, {"page": page})
    assert response.status_code == 200
    assert len(re.findall(r'<li id="notification-', response.content.decode())) >= 1


def test_hostile_values_are_escaped_and_bounded(my_client, me):
    notification = NotificationFactory(user=me, subject='<script>alert("view")</script>')
    hotline = HotlineFactory(name="<img src=x onerror=alert(1)>")
    huge = "x" * 100_000
    WatchEventFactory(
        notification=notification,
        hotline=hotline,
        changes=[
            {"field": "name", "old": "<b>old</b>", "new": huge},
            {"field": "description", "old": {"nested": [1, 2, {"deep": "x"}]}, "new": None},
            "not a change",
            {"old": "no field"},
        ]
        + [{"field": "name", "old": str(n), "new": str(n + 1)} for n in range(500)],
    )
    html = my_client.get(LIST).content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html and "&lt;b&gt;old&lt;/b&gt;" in html
    assert huge not in html and "x" * 200 not in html
    assert len(html) < 60_000


def test_events_are_bounded_per_notification_with_the_rest_counted(my_client, me):
    notification = NotificationFactory(user=me, changed=EVENTS_SHOWN + 30)
    WatchEventFactory.create_batch(EVENTS_SHOWN + 30, notification=notification)
    html = my_client.get(LIST).content.decode()
    assert html.count('class="change-name"') == EVENTS_SHOWN
    assert "and 30 more hotlines" in html


def test_the_page_costs_the_same_queries_for_1_or_many_notifications_and_events(my_client, me):
    def queries() -> int:
        my_client.get(LIST)  # the freshness bar (cached a couple of seconds) and the session, warmed
        with CaptureQueriesContext(db_connection) as captured:
            assert my_client.get(LIST).status_code == 200
        return len(captured)

    run = SyncRunFactory()
    first = NotificationFactory(user=me, sync_run=run)
    WatchEventFactory(notification=first)
    one = queries()
    for _ in range(PER_PAGE + 5):
        notification = NotificationFactory(user=me, sync_run=SyncRunFactory(), watch=WatchFactory(user=me))
        WatchEventFactory.create_batch(3, notification=notification)
    NotificationFactory(user=me, sync_run=run, kind=NotificationKind.SYNC_FAILED, watch=None)  # a failure too
    assert queries() == one
    assert SyncRun.objects.count() > PER_PAGE


def test_a_person_without_a_role_has_no_bell_and_no_notifications(client):
    nobody = UserFactory(username="nobody")
    client.force_login(nobody)
    assert client.get(LIST).status_code == 403
    assert client.get(BELL).status_code == 403
    assert client.post(READ_ALL).status_code == 403


@override_settings(SESSION_IDLE_TIMEOUT=600)
def test_the_bell_polling_does_not_keep_an_idle_session_alive(my_client, me):
    my_client.get(LIST)  # starts the clocks
    session = my_client.session
    session[SEEN_KEY] = int(time.time()) - 599
    session.save()
    aged = my_client.session[SEEN_KEY]
    assert my_client.get(BELL, headers={"HX-Request": "true"}).status_code == 200
    assert my_client.session[SEEN_KEY] == aged  # the poll answered, but the idle clock was not reset
    session = my_client.session
    session[SEEN_KEY] = int(time.time()) - 601
    session.save()
    response = my_client.get(BELL, headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/"})
    # Signed out: the whole page goes to sign in, not the sign-in form into the bell.
    assert response.status_code == 204 and response["HX-Redirect"].startswith(reverse("login"))
