"""The engine over real syncs from the sandbox: what each watch is told, once, and what is read."""

from __future__ import annotations

import json

import pytest
from django.db import connection as db_connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from hotlines.choices import SyncStatus
from hotlines.filtersets import HotlineFilterSet
from hotlines.listing import query_clean
from hotlines.models import Hotline, HotlineChange, Notification, ViewSyncDelta, WatchEvent
from hotlines.services.watch_events import watch_events_record
from tests.factories import ConnectionFactory, SavedViewFactory, UserFactory, WatchFactory

from .conftest import sync

pytestmark = pytest.mark.django_db


def _live(items, status):
    return [item for item in items if item["status"] == status]


def _events(notification):
    return {(e.hotline.etelecom_id, e.kind): e.changes for e in notification.events.select_related("hotline")}


def test_a_change_in_a_watched_view_gives_one_notification_with_the_right_events(
    connection, sandbox, first_synced, watcher
):
    enabled = _live(first_synced, "P")
    disabled = _live(first_synced, "N")
    view = SavedViewFactory(owner=watcher, name="Enabled ones", query="status=P")
    watch = WatchFactory(user=watcher, view=view)
    sandbox.dataset.patch(enabled[0]["id"], status="N")  # leaves
    sandbox.dataset.patch(enabled[1]["id"], name="Tổng đài mới")  # changes inside
    sandbox.dataset.patch(disabled[0]["id"], status="P")  # enters
    sandbox.dataset.patch(disabled[1]["id"], name="Elsewhere")  # outside: not told
    run = sync(connection)

    result = watch_events_record(sync_run_id=run.pk)

    notification = Notification.objects.get()
    assert (notification.user, notification.watch, notification.kind, notification.subject) == (
        watcher,
        watch,
        "watch",
        "Enabled ones",
    )
    assert (notification.entered, notification.left, notification.changed) == (1, 1, 1)
    assert _events(notification) == {
        (enabled[0]["id"], "left"): [{"field": "status", "old": "P", "new": "N"}],
        (enabled[1]["id"], "changed"): [{"field": "name", "old": enabled[1]["name"], "new": "Tổng đài mới"}],
        (disabled[0]["id"], "entered"): [{"field": "status", "old": "N", "new": "P"}],
    }
    assert (result.written.notifications, result.written.events) == (1, 3)
    delta = ViewSyncDelta.objects.get(view=view, sync_run=run)
    assert (delta.entered, delta.left, delta.changed) == (1, 1, 1)


def test_a_sync_that_changed_nothing_tells_nobody(
    connection, sandbox, first_synced, watcher, django_capture_on_commit_callbacks
):
    WatchFactory(user=watcher, view=SavedViewFactory(owner=watcher, query=""))
    with django_capture_on_commit_callbacks() as callbacks:
        run = sync(connection)
    assert callbacks == []  # not even a task for it
    assert watch_events_record(sync_run_id=run.pk).skipped == "the run changed nothing"
    assert not Notification.objects.exists() and not ViewSyncDelta.objects.exists()


def test_a_changing_sync_enqueues_the_watch_task_after_its_commit(
    connection, sandbox, first_synced, django_capture_on_commit_callbacks
):
    sandbox.dataset.patch(first_synced[0]["id"], name="x")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run = sync(connection)
    assert len(callbacks) == 1
    (task,) = DBTaskResult.objects.filter(task_path__endswith="watch_sync_run")
    assert task.args_kwargs["kwargs"] == {"sync_run_id": run.pk}


def test_running_twice_adds_nothing(connection, sandbox, first_synced, watcher):
    WatchFactory(user=watcher, view=SavedViewFactory(owner=watcher, query=""))
    for item in first_synced[:5]:
        sandbox.dataset.patch(item["id"], status="Z")
    run = sync(connection)
    first = watch_events_record(sync_run_id=run.pk)
    again = watch_events_record(sync_run_id=run.pk)
    assert (first.written.notifications, first.written.events) == (1, 5)
    assert (again.written.notifications, again.written.events) == (0, 0)
    assert Notification.objects.count() == 1 and WatchEvent.objects.count() == 5
    assert ViewSyncDelta.objects.count() == 1


def test_removed_then_reappearing_hotlines(connection, sandbox, first_synced, watcher):
    item = first_synced[3]
    hotline = Hotline.objects.get(etelecom_id=item["id"])
    live_view = SavedViewFactory(owner=watcher, name="Live", query="")
    removed_view = SavedViewFactory(owner=watcher, name="Removed", query="include_removed=only")
    WatchFactory(user=watcher, view=live_view)
    WatchFactory(user=watcher, view=removed_view)
    own = WatchFactory(user=watcher, view=None, hotline=hotline)
    sandbox.dataset.remove(item["id"])
    gone = sync(connection)
    watch_events_record(sync_run_id=gone.pk)
    told = {n.subject: _events(n) for n in Notification.objects.filter(sync_run=gone)}
    removed = [{"field": "removed", "old": "", "new": ""}]
    assert told == {
        "Live": {(item["id"], "left"): removed},
        "Removed": {(item["id"], "entered"): removed},
        item["hotline"]: {(item["id"], "changed"): removed},
    }
    sandbox.dataset.restore(item["id"])
    back = sync(connection)
    watch_events_record(sync_run_id=back.pk)
    told = {n.subject: _events(n) for n in Notification.objects.filter(sync_run=back)}
    reappeared = [{"field": "reappeared", "old": "", "new": ""}]
    assert told == {
        "Live": {(item["id"], "entered"): reappeared},
        "Removed": {(item["id"], "left"): reappeared},
        item["hotline"]: {(item["id"], "changed"): reappeared},
    }
    assert Notification.objects.get(sync_run=back, watch=own).changed == 1


def test_huge_values_are_cut_in_events_and_the_subject_fits(connection, sandbox, first_synced, watcher):
    item = first_synced[0]
    view = SavedViewFactory(owner=watcher, name="N" * 100, query="")
    WatchFactory(user=watcher, view=view)
    sandbox.dataset.patch(item["id"], description="đ" * 9000)
    run = sync(connection)
    watch_events_record(sync_run_id=run.pk)
    (change,) = WatchEvent.objects.get().changes
    assert change["field"] == "description" and len(change["new"]) == 300 and change["new"].endswith("…")
    # The whole value stays in the hotline's history.
    assert len(HotlineChange.objects.get(sync_run=run).new_value) == 9000


def test_a_view_whose_query_is_junk_is_read_as_the_list_reads_it(connection, sandbox, first_synced, watcher):
    junk = (
        "status=%00%00&network=<script>&owner=" + "9" * 500 + "&connection=-1&tenant=abc"
        "&created_after=99999-01-01&q=" + "x" * 5000 + "&&=&%ZZ"
    )
    SavedViewFactory(owner=watcher, name="Junk", query=junk)
    WatchFactory(user=watcher, view=SavedViewFactory(owner=watcher, name="Junk q", query="q=%00%00+&status=P&status="))
    sandbox.dataset.patch(first_synced[0]["id"], name="Tên mới")
    run = sync(connection)
    result = watch_events_record(sync_run_id=run.pk)
    assert result.views == 2  # no 500: each read leniently
    # Told exactly when the list, at that address, shows the changed hotline.
    hotline = Hotline.objects.get(etelecom_id=first_synced[0]["id"])
    listed = HotlineFilterSet(query_clean(QueryDict("q=%00%00+&status=P&status=")), queryset=Hotline.objects.all())
    assert listed.qs.filter(pk=hotline.pk).exists()
    assert Notification.objects.get().subject == "Junk q"


def test_two_connections_each_sync_tells_its_own(connection, sandbox, first_synced, watcher):
    other = ConnectionFactory(name="second", base_url=sandbox.url, api_key=connection.api_key, page_size=50, timeout=5)
    sync(other)  # its first import: nothing recorded hotline by hotline
    view = SavedViewFactory(owner=watcher, name="Second only", query=f"connection={other.pk}")
    WatchFactory(user=watcher, view=view)
    sandbox.dataset.patch(first_synced[0]["id"], status="N" if first_synced[0]["status"] != "N" else "P")
    first = sync(connection)
    second = sync(other)
    watch_events_record(sync_run_id=first.pk)
    watch_events_record(sync_run_id=second.pk)
    (notification,) = Notification.objects.all()
    assert notification.sync_run == second
    assert {e.hotline.connection_id for e in notification.events.all()} == {other.pk}


def test_private_views_of_others_and_inactive_people_are_not_told(connection, sandbox, first_synced, watcher):
    stranger = UserFactory(username="stranger")
    private = SavedViewFactory(owner=stranger, query="", shared=False)
    WatchFactory(user=watcher, view=private)  # e.g. a view unshared after it was watched
    WatchFactory(user=UserFactory(username="gone", is_active=False), view=SavedViewFactory(query=""))
    sandbox.dataset.patch(first_synced[0]["id"], name="x")
    run = sync(connection)
    watch_events_record(sync_run_id=run.pk)
    assert not Notification.objects.exists()
    assert ViewSyncDelta.objects.filter(sync_run=run).count() == 2  # every saved view's delta


def test_a_failed_run_gives_no_watch_notification(connection, sandbox, first_synced, watcher):
    WatchFactory(user=watcher, view=SavedViewFactory(owner=watcher, query=""))
    sandbox.dataset.patch(first_synced[0]["id"], name="x")
    run = sync(connection)
    run.status = SyncStatus.FAILED
    run.save(update_fields=["status"])
    assert watch_events_record(sync_run_id=run.pk).skipped == "not a succeeded run"
    assert not Notification.objects.exists()


def _queries(connection, sandbox, items, *, changes: int, watches: int, users) -> tuple[int, list[str]]:
    for item in items[:changes]:
        sandbox.dataset.patch(item["id"], name=item["name"] + " đổi")
    run = sync(connection)
    views = [SavedViewFactory(owner=users[0], shared=True, query=q) for q in (
        "", "status=P", "q=tong+dai", "q=0901", "network=viettel&free=yes", f"connection={connection.pk}",
        "tenant=1&include_removed=on", "updated_after=2020-01-01",
    )]  # fmt: skip
    hotlines = list(Hotline.objects.filter(etelecom_id__in=[i["id"] for i in items[:changes]]))
    pairs = [(user, view) for user in users for view in views][: watches // 2]
    pairs += [(user, hotline) for user in users for hotline in hotlines][: watches - len(pairs)]
    for user, target in pairs:
        if isinstance(target, Hotline):
            WatchFactory(user=user, view=None, hotline=target)
        else:
            WatchFactory(user=user, view=target)
    with CaptureQueriesContext(db_connection) as captured:
        watch_events_record(sync_run_id=run.pk)
    return len(captured), [q["sql"] for q in captured.captured_queries]


def test_the_query_count_does_not_grow_with_watches_nor_changes(connection, sandbox, first_synced):
    users = [UserFactory(username=f"u{n}") for n in range(6)]
    few, _sql = _queries(connection, sandbox, first_synced, changes=2, watches=2, users=users[:1])
    Notification.objects.all().delete()
    many, statements = _queries(connection, sandbox, first_synced[2:], changes=60, watches=40, users=users)
    assert many == few, "\n".join(statements)


def test_unchanged_hotlines_are_never_read(connection, sandbox, first_synced, watcher):
    WatchFactory(user=watcher, view=SavedViewFactory(owner=watcher, query=""))
    sandbox.dataset.patch(first_synced[0]["id"], name="x")
    run = sync(connection)
    table = Hotline._meta.db_table
    with CaptureQueriesContext(db_connection) as captured:
        watch_events_record(sync_run_id=run.pk)
    reads = [q["sql"] for q in captured.captured_queries if f'FROM "{table}"' in q["sql"]]
    assert len(reads) == 1
    # Only rows named by this run's changes, looked up by primary key.
    assert f'"{table}"."id" IN (SELECT' in reads[0] and f'sync_run_id" = {run.pk}' in reads[0]


def test_concurrent_computations_write_once(connection, sandbox, first_synced, watcher):
    from hotlines.services.watch_events.changed import changed_hotlines
    from hotlines.services.watch_events.compute import view_deltas, watch_outcomes
    from hotlines.services.watch_events.matching import view_filters
    from hotlines.services.watch_events.record import watch_targets
    from hotlines.services.watch_events.write import outcomes_write

    view = SavedViewFactory(owner=watcher, query="")
    WatchFactory(user=watcher, view=view)
    sandbox.dataset.patch(first_synced[0]["id"], name="x")
    run = sync(connection)
    # Two workers both computed the outcome before either wrote: the second write finds it taken.
    prepared = []
    for _worker in range(2):
        changed = changed_hotlines(sync_run_id=run.pk)
        deltas = view_deltas(changed, view_filters({view.pk: view.query}))
        prepared.append((watch_outcomes(watch_targets(sync_run_id=run.pk), changed=changed, deltas=deltas), deltas))
    written = [outcomes_write(sync_run_id=run.pk, outcomes=o, deltas=d) for o, d in prepared]
    assert [(w.notifications, w.events) for w in written] == [(1, 1), (0, 0)]
    assert WatchEvent.objects.count() == 1
    assert json.loads(json.dumps(WatchEvent.objects.get().changes))[0]["field"] == "name"


def test_a_dated_view_never_guesses_entries_nor_exits_and_says_so(connection, sandbox, first_synced, watcher, caplog):
    enabled = _live(first_synced, "P")
    view = SavedViewFactory(owner=watcher, name="Recent enabled", query="status=P&changed_since=2000-01-01")
    WatchFactory(user=watcher, view=view)
    sandbox.dataset.patch(enabled[0]["id"], status="N")  # may have left: its old change date is unknown
    sandbox.dataset.patch(enabled[1]["id"], name="Vẫn ở đây")  # in the view now: told as changed
    run = sync(connection)
    with caplog.at_level("INFO", logger="hotlines.services.watch_events.record"):
        watch_events_record(sync_run_id=run.pk)
    notification = Notification.objects.get()
    assert _events(notification) == {
        (enabled[1]["id"], "changed"): [{"field": "name", "old": enabled[1]["name"], "new": "Vẫn ở đây"}]
    }
    assert (notification.entered, notification.left, notification.changed) == (0, 0, 1)
    assert f"view {view.pk} filters on last_changed_at" in caplog.text
