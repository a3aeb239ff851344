"""The engine's writes, set-based and exactly once: the notifications of a run in one statement
that skips those already there (the unique watch x run constraint) and returns the new ones, then
only the new notifications' events (PostgreSQL: each view's events COPYed once to a temporary
table, multiplied by its watchers in one INSERT … SELECT; SQLite: one executemany), then every
saved view's delta (skipping those already there). A retried or concurrent computation of the same run
finds every notification taken and writes no event twice: a notification and its events are
committed together (the caller's transaction), so an existing one is complete."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from ...models import Notification, NotificationKind, ViewSyncDelta, WatchEvent
from .compute import ViewDelta, WatchOutcome

NOTIFICATION = Notification._meta.db_table
EVENT = WatchEvent._meta.db_table
_NOTIFICATION_COLUMNS = ("user_id", "sync_run_id", "kind", "watch_id", "subject", "entered", "left", "changed",
                         "created_at")  # fmt: skip
_EVENT_COLUMNS = ("notification_id", "hotline_id", "kind", "changes")
_SOURCE = "watch_event_source"  # temporary: each view's events once (PostgreSQL)
SUBJECT_MAX = Notification._meta.get_field("subject").max_length


@dataclass(frozen=True, slots=True)
class Written:
    """What one computation added (no notification nor event when the run had already been
    computed; `deltas` counts the views offered, those already recorded being kept)."""

    notifications: int
    events: int
    deltas: int


def _quoted(columns: Iterable[str]) -> str:
    return ", ".join(connection.ops.quote_name(column) for column in columns)


def _notifications_sql() -> str:
    """INSERT … SELECT from one JSON parameter, skipping conflicts, returning the rows made."""
    columns = _quoted(_NOTIFICATION_COLUMNS)
    if connection.vendor == "postgresql":
        source = (
            "SELECT s.u, %s, %s, s.w, s.s, s.e, s.l, s.c, %s FROM jsonb_to_recordset(%s::jsonb) "
            "AS s(u bigint, w bigint, s text, e integer, l integer, c integer)"
        )
    else:
        # WHERE true: SQLite's parser needs it before an upsert clause on INSERT … SELECT.
        source = (
            "SELECT json_extract(value, '$.u'), %s, %s, json_extract(value, '$.w'), json_extract(value, '$.s'), "
            "json_extract(value, '$.e'), json_extract(value, '$.l'), json_extract(value, '$.c'), %s "
            "FROM json_each(%s) WHERE true"
        )
    return f"INSERT INTO {NOTIFICATION} ({columns}) {source} ON CONFLICT DO NOTHING RETURNING id, watch_id"


def notifications_insert(*, sync_run_id: int, outcomes: list[WatchOutcome]) -> dict[int, int]:
    """{watch ID: new notification ID} for the watches that had none for this run yet. Rows go in
    in watch order (as `record.watch_targets` reads them), so two workers racing on one run wait
    for each other on the same first row rather than deadlock."""
    if not outcomes:
        return {}
    rows = [
        {"u": o.target.user_id, "w": o.target.watch_id, "s": o.subject[:SUBJECT_MAX], "e": o.delta.entered,
         "l": o.delta.left, "c": o.delta.changed}
        for o in outcomes
    ]  # fmt: skip
    params = [sync_run_id, NotificationKind.WATCH, timezone.now(), json.dumps(rows, ensure_ascii=False)]
    with connection.cursor() as cursor:
        cursor.execute(_notifications_sql(), params)
        return {watch_id: notification_id for notification_id, watch_id in cursor.fetchall()}


def events_insert(*, outcomes: list[WatchOutcome], made: dict[int, int]) -> int:
    """The events of the notifications just made (none for those that existed already)."""
    fresh = [o for o in outcomes if o.target.watch_id in made]
    if not fresh:
        return 0
    if connection.vendor == "postgresql":
        return _events_copy_and_join(fresh, made)
    rows = [
        (made[o.target.watch_id], hotline_id, kind, changes)
        for o in fresh
        for hotline_id, kind, changes in o.delta.events
    ]
    marks = ", ".join(["%s"] * len(_EVENT_COLUMNS))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {EVENT} ({_quoted(_EVENT_COLUMNS)}) VALUES ({marks})", rows)  # noqa: S608
    return len(rows)


def _events_copy_and_join(fresh: list[WatchOutcome], made: dict[int, int]) -> int:
    """PostgreSQL: each view's events go to the server once (COPY into a temporary table), and
    the server multiplies them by the view's watchers in one INSERT … SELECT: the watchers of a
    broad view share thousands of identical events, which never cross the wire one per watcher."""
    groups: dict[int, int] = {}  # id(delta) -> group number: watches of one view share its delta
    pairs = []
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {_SOURCE} (grp integer, hotline_id bigint, kind text, changes jsonb) "
            "ON COMMIT DROP"
        )
        with cursor.cursor.copy(f"COPY {_SOURCE} (grp, hotline_id, kind, changes) FROM STDIN") as copy:
            for outcome in fresh:
                group = groups.get(id(outcome.delta))
                if group is None:
                    group = groups[id(outcome.delta)] = len(groups)
                    for hotline_id, kind, changes in outcome.delta.events:
                        copy.write_row((group, hotline_id, kind, changes))
                pairs.append({"n": made[outcome.target.watch_id], "g": group})
        cursor.execute(
            f"INSERT INTO {EVENT} ({_quoted(_EVENT_COLUMNS)}) SELECT m.n, s.hotline_id, s.kind, s.changes "  # noqa: S608
            f"FROM jsonb_to_recordset(%s::jsonb) AS m(n bigint, g integer) JOIN {_SOURCE} s ON s.grp = m.g",
            [json.dumps(pairs)],
        )
        count = cursor.rowcount
        cursor.execute(f"DROP TABLE {_SOURCE}")
    return count


def deltas_insert(*, sync_run_id: int, deltas: dict[int, ViewDelta]) -> int:
    """Every saved view's delta for the run (those already recorded are kept)."""
    rows = [
        ViewSyncDelta(view_id=view_id, sync_run_id=sync_run_id, entered=d.entered, left=d.left, changed=d.changed)
        for view_id, d in sorted(deltas.items())
    ]
    return len(ViewSyncDelta.objects.bulk_create(rows, ignore_conflicts=True)) if rows else 0


def outcomes_write(*, sync_run_id: int, outcomes: list[WatchOutcome], deltas: dict[int, ViewDelta]) -> Written:
    """Write a run's notifications, their events and the views' deltas (inside the caller's transaction)."""
    made = notifications_insert(sync_run_id=sync_run_id, outcomes=outcomes)
    events = events_insert(outcomes=outcomes, made=made) if made else 0
    return Written(notifications=len(made), events=events, deltas=deltas_insert(sync_run_id=sync_run_id, deltas=deltas))
