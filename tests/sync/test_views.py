"""The Syncs pages, the Sync now and Cancel buttons, the live progress fragment and the freshness bar."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from hotlines.choices import SyncStatus, SyncTrigger
from hotlines.models import AuditAction, AuditEntry, Hotline, SyncRun
from hotlines.services.sync import hotlines_sync, sync_run_start
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def operator(django_user_model):
    return make_user(
        django_user_model, "operator", "hotlines.view_hotline", "hotlines.view_syncrun", "hotlines.run_sync"
    )


@pytest.fixture
def operator_client(client, operator):
    client.force_login(operator)
    return client


def text(response) -> str:
    return response.content.decode()


# --- the list and the detail --------------------------------------------------------------------


def test_list_shows_runs_and_filters_them(
    operator_client, connection, sandbox, first_sync, django_assert_max_num_queries
):
    connection.api_key = "wrong"
    connection.save()
    failed = hotlines_sync(connection=connection)
    url = reverse("hotlines:sync-list")
    with django_assert_max_num_queries(18):
        response = operator_client.get(url)
    assert response.status_code == 200
    page = text(response)
    assert f"#{first_sync.pk}" in page and f"#{failed.pk}" in page
    assert "eTelecom rejected the API key (401 unauthenticated)" in page
    rows = list(response.context["table"].paginated_rows)
    assert [row.record.pk for row in rows] == [failed.pk, first_sync.pk]  # newest first

    only_failed = operator_client.get(url, {"status": "failed"})
    assert [row.record.pk for row in only_failed.context["table"].paginated_rows] == [failed.pk]
    by_trigger = operator_client.get(url, {"trigger": SyncTrigger.BUTTON})
    assert list(by_trigger.context["table"].paginated_rows) == []
    by_connection = operator_client.get(url, {"connection": connection.pk, "status": "succeeded"})
    assert [row.record.pk for row in by_connection.context["table"].paginated_rows] == [first_sync.pk]
    assert operator_client.get(url, {"status": "nonsense", "connection": "x"}).status_code == 200
    both = operator_client.get(f"{url}?status=failed&status=succeeded")
    assert {row.record.pk for row in both.context["table"].paginated_rows} == {failed.pk, first_sync.pk}


def test_list_filters_are_checkbox_groups_like_the_hotline_list(operator_client, connection, first_sync):
    page = text(operator_client.get(reverse("hotlines:sync-list"), {"status": "failed"}))
    panel = page[page.index('<aside class="filters"') : page.index("</aside>")]
    assert "<legend>Status</legend>" in panel and "<legend>Trigger</legend>" in panel
    assert 'type="checkbox" name="status" value="failed"' in panel and "checked" in panel
    assert "<select" not in panel  # no drop-downs crammed in a row
    assert 'name="connection"' not in panel  # one account: nothing to choose


def test_list_stays_cheap_with_many_runs(operator_client, connection, django_assert_max_num_queries):
    now = timezone.now()
    SyncRun.objects.bulk_create(
        SyncRun(connection=connection, trigger="schedule", status="succeeded", finished_at=now, fetched=n)
        for n in range(120)
    )
    with django_assert_max_num_queries(18):
        response = operator_client.get(reverse("hotlines:sync-list"))
    assert len(list(response.context["table"].paginated_rows)) == 50
    assert operator_client.get(reverse("hotlines:sync-list"), {"page": 3}).status_code == 200


def test_detail_lists_what_the_run_changed(operator_client, connection, sandbox, pending_change):
    renamed, gone = pending_change[0], pending_change[120]
    run = hotlines_sync(connection=connection)
    response = operator_client.get(run.get_absolute_url())
    assert response.status_code == 200
    page = text(response)
    assert "Tổng đài đã đổi tên" in page and renamed["name"] in page  # old → new
    assert gone["hotline"] in page and "19009999" in page
    kinds = {change.kind for row in response.context["table"].paginated_rows for change in row.record.run_changes}
    assert kinds == {"changed", "removed", "appeared"}
    removed = operator_client.get(run.get_absolute_url(), {"kind": "removed"})
    assert [row.record.etelecom_id for row in removed.context["table"].paginated_rows] == [gone["id"]]
    link = reverse("hotlines:detail", args=[Hotline.objects.get(etelecom_id=gone["id"]).pk])
    assert link in text(removed)


def test_detail_lists_each_hotline_once_with_its_changes_and_counts_that_agree(
    operator_client, connection, sandbox, first_sync
):
    """A hotline renamed and moved to another network is one row holding both changes, and the
    chips count hotlines, as the run's Updated figure does (not one per field)."""
    items = sandbox.dataset.all()
    for item in items[:4]:
        sandbox.dataset.patch(
            item["id"], name=f"Đổi tên {item['id']}", network="other" if item["network"] != "other" else "viettel"
        )
    run = hotlines_sync(connection=connection)
    assert run.updated == 4
    response = operator_client.get(run.get_absolute_url())
    rows = [row.record for row in response.context["table"].paginated_rows]
    assert sorted(row.etelecom_id for row in rows) == sorted(item["id"] for item in items[:4])
    assert all({change.field for change in row.run_changes} == {"name", "network"} for row in rows)
    assert {kind: count for kind, _label, count in response.context["kind_counts"]}["changed"] == run.updated
    assert response.context["change_total"] == 4
    page = text(response)
    assert len(rows) == 4 and '>Changed <span class="count">4</span>' in page


def test_sync_now_leaves_no_queued_message_to_go_stale(operator_client, connection, first_sync):
    """The run's page tells queued, running and done live; a "queued" flash above it would stay,
    wrong, while the run goes on."""
    response = operator_client.post(reverse("hotlines:sync-start"), follow=True)
    run = SyncRun.objects.get(status=SyncStatus.QUEUED)
    assert response.redirect_chain[-1][0] == run.get_absolute_url()
    assert not [str(message) for message in response.context["messages"]]
    assert "Waiting for a background worker since" in text(response)
    SyncRun.objects.filter(pk=run.pk).update(status=SyncStatus.RUNNING)
    running = operator_client.get(run.get_absolute_url())
    assert not [str(message) for message in running.context["messages"]]
    assert "Reading the tenant list first: 0 tenants so far." in text(running)  # a sync reads tenants first


def test_syncs_page_has_one_sync_now_button(operator_client, connection, first_sync):
    page = text(operator_client.get(reverse("hotlines:sync-list")))
    assert page.count('action="/syncs/start/"') == 1


def test_detail_paginates_a_large_run(operator_client, connection, sandbox):
    sandbox.dataset.reset(size=30)
    hotlines_sync(connection=connection)
    sandbox.dataset.reset(size=230)  # the generator's IDs depend on the size: 230 new ones, the 30 gone
    run = hotlines_sync(connection=connection)
    assert (run.created, run.removed) == (230, 30)
    response = operator_client.get(run.get_absolute_url())
    table = response.context["table"]
    assert table.paginator.count == 260 and table.paginator.num_pages == 6
    assert len(list(operator_client.get(run.get_absolute_url(), {"page": 6}).context["table"].paginated_rows)) == 10


def test_initial_import_is_summed_up_not_listed(operator_client, connection, sandbox):
    run = hotlines_sync(connection=connection)
    page = operator_client.get(run.get_absolute_url()).content.decode()
    assert "Initial import: all 230 hotlines appeared with this sync." in page


def test_failed_run_detail_says_nothing_changed(operator_client, connection, sandbox, first_sync):
    sandbox.faults.add("status", page=2, status=500)
    run = hotlines_sync(connection=connection)
    page = text(operator_client.get(run.get_absolute_url()))
    assert "eTelecom had a server error on page 2 after 2 retries" in page
    assert "a failed sync leaves the data exactly as it was" in page
    assert "the next sync may well succeed" in page  # a 5xx is transient


def test_failed_run_detail_says_a_permanent_error_needs_a_person(operator_client, connection, first_sync):
    connection.api_key = "not-the-key"
    connection.save()
    run = hotlines_sync(connection=connection)
    page = text(operator_client.get(run.get_absolute_url()))
    assert "eTelecom rejected the API key" in page
    assert "will fail again until someone changes the account" in page
    assert "may well succeed" not in page


# --- live progress -----------------------------------------------------------------------------


def test_progress_fragment_polls_while_running_and_reloads_the_page_when_done(operator_client, connection, first_sync):
    run = sync_run_start(connection=connection, trigger=SyncTrigger.COMMAND)
    SyncRun.objects.filter(pk=run.pk).update(pages=3, fetched=150)
    url = reverse("hotlines:sync-progress", args=[run.pk])
    response = operator_client.get(url, headers={"HX-Request": "true"})
    page = text(response)
    assert 'hx-trigger="every 1s"' in page and f'hx-get="{url}"' in page
    assert "150 hotlines fetched so far" in page
    assert 'value="65"' in page  # 150 of the 230 the last sync found
    assert "HX-Refresh" not in response.headers

    SyncRun.objects.filter(pk=run.pk).update(status=SyncStatus.SUCCEEDED, finished_at=timezone.now())
    done = operator_client.get(url, headers={"HX-Request": "true"})
    assert done.headers["HX-Refresh"] == "true"
    assert "hx-trigger" not in text(done)
    assert "HX-Refresh" not in operator_client.get(url).headers  # a plain request just shows the state


def test_list_and_detail_show_a_run_under_way(operator_client, connection, first_sync):
    run = sync_run_start(connection=connection, trigger=SyncTrigger.COMMAND)
    for url in (reverse("hotlines:sync-list"), run.get_absolute_url()):
        page = text(operator_client.get(url))
        assert reverse("hotlines:sync-progress", args=[run.pk]) in page
        assert "Cancel this sync" in page
        assert "<script>" not in page and "style=" not in page


def test_dead_run_is_flagged_on_its_page(operator_client, connection, first_sync, settings):
    run = sync_run_start(connection=connection, trigger=SyncTrigger.COMMAND)
    SyncRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=10))
    page = text(operator_client.get(run.get_absolute_url()))
    assert "The process running this sync stopped responding" in page


# --- Sync now and Cancel ------------------------------------------------------------------------


def test_sync_now_queues_a_run_audits_it_and_refuses_a_second_one(operator_client, operator, connection, first_sync):
    response = operator_client.post(reverse("hotlines:sync-start"))
    run = SyncRun.objects.get(status=SyncStatus.QUEUED)
    assert response.status_code == 302 and response.url == run.get_absolute_url()
    assert (run.trigger, run.requested_by, run.connection) == (SyncTrigger.BUTTON, operator, connection)
    task = DBTaskResult.objects.get(id=run.task_id)
    assert task.task_path == "hotlines.tasks.sync_hotlines" and task.args_kwargs["kwargs"] == {"run_id": run.pk}
    entry = AuditEntry.objects.get(action=AuditAction.SYNC_REQUESTED)
    assert entry.actor == operator and entry.details == {"connection_id": connection.pk, "sync_run_id": run.pk}

    again = operator_client.post(reverse("hotlines:sync-start"), follow=True)
    assert "already waiting to start (queued since" in text(again)
    assert SyncRun.objects.filter(status__in=["queued", "running"]).count() == 1
    assert DBTaskResult.objects.filter(task_path="hotlines.tasks.sync_hotlines").count() == 1


def test_sync_now_while_a_command_sync_runs(operator_client, connection, first_sync):
    running = sync_run_start(connection=connection, trigger=SyncTrigger.SCHEDULE)
    response = operator_client.post(reverse("hotlines:sync-start"), follow=True)
    assert f"A sync of “{connection.name}” is already running since" in text(response)
    assert response.redirect_chain[-1][0] == running.get_absolute_url()


def test_sync_now_needs_the_permission(client, viewer, connection):
    client.force_login(viewer)
    assert client.post(reverse("hotlines:sync-start")).status_code == 403
    assert not SyncRun.objects.exists()
    page = text(client.get(reverse("hotlines:list")))
    assert reverse("hotlines:sync-start") not in page


def test_sync_now_without_an_active_connection(operator_client):
    response = operator_client.post(reverse("hotlines:sync-start"), follow=True)
    assert "There is no active eTelecom connection to sync." in text(response)


def test_sync_now_is_post_only(operator_client, connection):
    assert operator_client.get(reverse("hotlines:sync-start")).status_code == 405


def test_sync_now_for_a_user_who_cannot_see_syncs_goes_back(client, django_user_model, connection):
    user = make_user(django_user_model, "runner", "hotlines.view_hotline", "hotlines.run_sync")
    client.force_login(user)
    response = client.post(reverse("hotlines:sync-start"), {"next": "/hotlines/?network=viettel"})
    assert response.url == "/hotlines/?network=viettel"
    evil = client.post(reverse("hotlines:sync-start"), {"next": "https://evil.example/"})
    assert evil.url == reverse("hotlines:sync-list")


def test_cancel_stops_a_queued_run(operator_client, connection, first_sync):
    operator_client.post(reverse("hotlines:sync-start"))
    run = SyncRun.objects.get(status=SyncStatus.QUEUED)
    response = operator_client.post(reverse("hotlines:sync-cancel", args=[run.pk]), follow=True)
    run.refresh_from_db()
    assert run.status == SyncStatus.FAILED and run.error == "Cancelled by operator; the previous data is unchanged."
    assert "was cancelled" in text(response)
    again = operator_client.post(reverse("hotlines:sync-cancel", args=[run.pk]), follow=True)
    assert "had already finished" in text(again)


# --- the freshness bar --------------------------------------------------------------------------


def bar(client, url=None) -> str:
    page = text(client.get(url or reverse("hotlines:list")))
    start = page.index('id="freshness"')
    return page[start : page.index("</div>\n</div>", start)]


def test_bar_before_any_sync(operator_client, connection):
    assert "No successful sync yet" in bar(operator_client)


def test_bar_on_every_page_after_a_success(operator_client, connection, sandbox, first_sync, settings):
    hotline = Hotline.objects.first()
    for url in ("/", reverse("hotlines:list"), hotline.get_absolute_url(), reverse("hotlines:sync-list")):
        shown = bar(operator_client, url)
        assert "Data last synced" in shown and "freshness-warn" not in shown, url
        # The Syncs page has its own button: the bar's would be a second one there.
        assert ("Sync now" in shown) == (url != reverse("hotlines:sync-list")), url


def test_bar_warns_when_stale(operator_client, connection, first_sync, settings):
    settings.HOTLINES_STALE_AFTER = 3600
    SyncRun.objects.filter(pk=first_sync.pk).update(finished_at=timezone.now() - timedelta(hours=2))
    shown = bar(operator_client)
    assert "This data may be out of date." in shown and "freshness-warn" in shown
    assert "Data last synced 2\xa0hours ago" in shown


def test_bar_warns_when_the_last_run_failed(operator_client, connection, sandbox, first_sync):
    sandbox.faults.add("malformed", page=2)
    failed = hotlines_sync(connection=connection)
    shown = bar(operator_client)
    assert "The last sync failed:" in shown and "eTelecom sent malformed JSON on page 2" in shown
    assert failed.get_absolute_url() in shown and "freshness-warn" in shown


def test_bar_follows_a_run_and_says_when_it_ended(operator_client, viewer, client, connection, first_sync):
    run = sync_run_start(connection=connection, trigger=SyncTrigger.SCHEDULE)
    shown = bar(operator_client)
    assert "Sync running" in shown and 'hx-trigger="every 2s"' in shown
    assert run.get_absolute_url() in shown and "Sync now" not in shown
    SyncRun.objects.filter(pk=run.pk).update(status=SyncStatus.SUCCEEDED, finished_at=timezone.now())
    fragment = text(operator_client.get(reverse("hotlines:freshness"), {"watching": "1"}))
    assert "A sync just finished." in fragment and "hx-trigger" not in fragment

    client.force_login(viewer)  # a viewer sees the state, without the buttons or the Syncs links
    shown = bar(client)
    assert "Sync now" not in shown and reverse("hotlines:sync-list") not in shown
