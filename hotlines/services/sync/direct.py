"""PostgreSQL: each page goes straight into the snapshot, inside one transaction that spans the sync.

Staging then applying writes every new or changed hotline twice, and does all of the index work
(ten B-trees and two trigram indexes on `Hotline`) after the last page, while the network sits
idle. PostgreSQL's MVCC gives the same all-or-nothing guarantee without the detour: rows written
in an open transaction are invisible to every reader until it commits, readers never wait on it,
and a rollback leaves no trace. So on PostgreSQL a sync opens one transaction, writes each page
(history, upsert) while the next page is being fetched, and commits once all pages arrived; the
IDs seen go to a temporary table, for the removals at the end. Progress and heartbeats must be
visible while that transaction is open, so they go through a second connection. A connection's
first import has nothing to compare or record: its pages go in with COPY, and into an empty
table without the indexes dearest to keep up to date, built once at the end (`deferred_indexes.py`).

SQLite allows one writer at a time: a transaction open for the whole fetch would block every
other write (sign-ins, the audit log, the task queue) for minutes. There the sync stages and
applies at the end (`stage.py`, `apply.py`).
"""

# ruff: noqa: S608 - SQL built from the models' table and column names; values always go as parameters.

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from operator import itemgetter
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone
from psycopg import postgres
from psycopg.adapt import Dumper
from psycopg.errors import UniqueViolation
from psycopg.pq import Format

from ...choices import ChangeKind, SyncStatus
from ...etelecom import types
from ...models import StagedState, SyncRun
from . import sql
from .apply import SyncStopped, step
from .deferred_indexes import deferred_indexes_build, deferred_indexes_ensure, deferred_indexes_set_aside
from .stage import Stager, sync_is_initial_import

SEEN = "sync_seen"  # temporary table: the IDs this run saw (dropped at commit)

_COLUMNS = ", ".join(f"{name} {kind}" for name, kind in sql.STAGED_COLUMNS.items())
# A page of rows, sent as one JSON parameter (jsonb: unpacked faster than json).
_SOURCE = f"jsonb_to_recordset(%s::jsonb) AS s({_COLUMNS})"
_SOURCE_NAMED = f"jsonb_to_recordset(%(rows)s::jsonb) AS s({_COLUMNS})"
_CONTENT = list(sql.CONTENT_COLUMNS)
_UPSERT = (
    f"INSERT INTO {sql.HOTLINE} (connection_id, etelecom_id, {', '.join(_CONTENT)}, "
    "is_removed, removed_at, first_seen_at, last_changed_at) "
    f"SELECT %s, s.etelecom_id, {', '.join('s.' + c for c in _CONTENT)}, false, NULL, %s, %s FROM {_SOURCE} "
    "ON CONFLICT (connection_id, etelecom_id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in [*_CONTENT, "is_removed", "removed_at", "last_changed_at"])
)
_COPY_COLUMNS = [
    "connection_id", "etelecom_id", *_CONTENT, "is_removed", "removed_at", "first_seen_at", "last_changed_at"
]  # fmt: skip
_COPY = f"COPY {sql.HOTLINE} ({', '.join(_COPY_COLUMNS)}) FROM STDIN (FORMAT BINARY)"
_pick = itemgetter("etelecom_id", *_CONTENT)
# The same, recording the new ones as appeared: xmax is 0 on a row this statement inserted.
_UPSERT_RECORDING = (
    f"WITH up AS ({_UPSERT} RETURNING id, (xmax = 0) AS inserted) "
    f"{sql.CHANGE_INSERT}SELECT id, %s, %s, '', '', '', %s FROM up WHERE inserted"
)
_FIELD_CHANGES = f"WITH s AS MATERIALIZED (SELECT * FROM {_SOURCE_NAMED}) {sql.CHANGE_INSERT}" + " UNION ALL ".join(
    f"SELECT h.id, %(run)s, 'changed', '{field}', {sql.display('h.' + field)}, {sql.display('s.' + field)}, "
    f"%(now)s FROM s JOIN {sql.HOTLINE} h ON h.connection_id = %(connection)s AND h.etelecom_id = s.etelecom_id "
    f"WHERE h.{field} IS DISTINCT FROM s.{field}"
    for field in sql.HISTORY_FIELDS
)
_REAPPEARED = (
    f"{sql.CHANGE_INSERT}SELECT h.id, %s, %s, '', '', '', %s FROM {sql.HOTLINE} h "
    "WHERE h.connection_id = %s AND h.etelecom_id IN (SELECT json_array_elements_text(%s::json))"
)


class DirectWriter:
    """Writes each page into the snapshot, inside the sync's open transaction."""

    def __init__(self, run: SyncRun, *, initial_import: bool) -> None:
        self.run_id, self.connection_id = run.pk, run.connection_id
        self.initial_import = initial_import
        # An initial import goes in with COPY: the payload as the JSON text already made, the
        # datetimes as they are (psycopg writes them); otherwise pages go as JSON documents.
        self.raw_text = initial_import
        self.datetime = _as_is if initial_import else sql.datetime_formatter()
        self.now = timezone.now()
        self._copy_types: list[int] | None = None

    def keep_same(self, ids: list[str]) -> int:
        return sql.execute(
            f"INSERT INTO {SEEN} SELECT json_array_elements_text(%s::json) ON CONFLICT DO NOTHING",
            [json.dumps(ids)],
        )

    def keep_rows(self, rows: list[dict[str, Any]]) -> Counter[int]:
        if self.initial_import:
            return self._import(rows)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {SEEN} SELECT json_array_elements_text(%s::json) "
                "ON CONFLICT DO NOTHING RETURNING etelecom_id",
                [json.dumps([row["etelecom_id"] for row in rows])],
            )
            fresh = {etelecom_id for (etelecom_id,) in cursor.fetchall()}
        if len(fresh) < len(rows):  # some came on an earlier page too: the first one seen wins
            rows = [row for row in rows if row["etelecom_id"] in fresh]
        kept = Counter(row["state"] for row in rows)
        if not rows:
            return kept
        changed = [row for row in rows if row["state"] in (StagedState.CHANGED, StagedState.REAPPEARED)]
        if changed:
            # Before the upsert: the history needs the values it is about to overwrite.
            params = {"run": self.run_id, "now": self.now, "connection": self.connection_id}
            sql.execute(_FIELD_CHANGES, {**params, "rows": sql.json_text(changed)})
        reappeared = [row["etelecom_id"] for row in changed if row["state"] == StagedState.REAPPEARED]
        if reappeared:
            sql.execute(
                _REAPPEARED,
                [self.run_id, ChangeKind.REAPPEARED, self.now, self.connection_id, json.dumps(reappeared)],
            )
        upsert = [self.connection_id, self.now, self.now, sql.json_text(rows)]
        sql.execute(_UPSERT_RECORDING, [*upsert, self.run_id, ChangeKind.APPEARED, self.now])
        return kept

    def _import(self, rows: list[dict[str, Any]]) -> Counter[int]:
        """A first import's page, all new. No list of the IDs seen: the unique index notices a
        hotline an earlier page sent (rare), and only then is the page written again without it."""
        try:
            with transaction.atomic():  # a savepoint: the failed COPY leaves nothing behind
                self._copy(rows)
        except UniqueViolation:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT etelecom_id FROM {sql.HOTLINE} WHERE connection_id = %s AND etelecom_id = ANY(%s)",
                    [self.connection_id, [row["etelecom_id"] for row in rows]],
                )
                earlier = {etelecom_id for (etelecom_id,) in cursor.fetchall()}
            rows = [row for row in rows if row["etelecom_id"] not in earlier]
            if rows:
                self._copy(rows)
        return Counter(row["state"] for row in rows)

    def _copy(self, rows: list[dict[str, Any]]) -> None:
        """All new, and no other process writes this connection's hotlines (single flight): COPY,
        the fastest way in. Binary: neither side formats or parses text, except the payload,
        which goes as the JSON text its fingerprint was made from (half the cost of text COPY)."""
        tail = (False, None, self.now, self.now)
        with connection.cursor() as cursor:
            if self._copy_types is None:
                cursor.execute(
                    "SELECT attname, atttypid::int FROM pg_attribute "
                    "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
                    [sql.HOTLINE],
                )
                oids = dict(cursor.fetchall())
                self._copy_types = [oids[column] for column in _COPY_COLUMNS]
            cursor.cursor.adapters.register_dumper(_JsonText, _JsonTextDumper)
            with cursor.copy(_COPY) as copy:
                copy.set_types(self._copy_types)
                for row in rows:
                    copy.write_row((self.connection_id, *_pick(row), *tail))


class _JsonText(str):
    """JSON already encoded (only names the dumper below, which COPY picks by column type)."""


class _JsonTextDumper(Dumper):
    """Binary jsonb from JSON text as it is: the format's version byte, then the text."""

    format = Format.BINARY
    oid = postgres.types["jsonb"].oid

    def dump(self, obj: str) -> bytes:
        return b"\x01" + obj.encode()


def _as_is[T](value: T) -> T:
    return value


class SideConnection:
    """A second database connection, outside the sync's transaction, for what others must see now."""

    def __init__(self) -> None:
        self.db = connections.create_connection(DEFAULT_DB_ALIAS)
        with self.db.cursor() as cursor:
            # Nothing should ever lock the run's row for long; if something in our own transaction
            # did (a progress callback writing to it), fail loudly instead of waiting for ourselves.
            cursor.execute("SET lock_timeout = '10s'")

    def heartbeat(self, run: SyncRun) -> None:
        """Publish progress and prove we are alive; stop if the run was cancelled or failed meanwhile."""
        run.heartbeat_at = timezone.now()
        with self.db.cursor() as cursor:
            cursor.execute(
                f"UPDATE {SyncRun._meta.db_table} SET pages = %s, fetched = %s, duplicates = %s, heartbeat_at = %s "
                "WHERE id = %s AND status = %s",
                [run.pages, run.fetched, run.duplicates, run.heartbeat_at, run.pk, SyncStatus.RUNNING],
            )
            alive = cursor.rowcount
        if not alive:
            stored = SyncRun.objects.using(DEFAULT_DB_ALIAS).get(pk=run.pk)
            if stored.status == SyncStatus.RUNNING:  # not stopped: this connection cannot see it
                raise RuntimeError("the sync's run is not visible outside its transaction")
            raise SyncStopped(stored)

    def close(self) -> None:
        self.db.close()


def sync_direct(
    *,
    run: SyncRun,
    pages: Iterator[types.HotlinePage],
    heartbeat_due: Callable[[], bool],
    progress: Callable[[SyncRun], None] | None,
) -> None:
    """Fetch, write and publish the snapshot in one transaction (see the module docstring)."""
    side = SideConnection()
    deferred_indexes_ensure()
    set_aside = sync_is_initial_import(connection_id=run.connection_id) and deferred_indexes_set_aside()
    try:
        with transaction.atomic():
            sql.execute(f"CREATE TEMPORARY TABLE {SEEN} (etelecom_id text PRIMARY KEY) ON COMMIT DROP", [])
            live_before = sql.live_count(connection_id=run.connection_id)
            initial = sync_is_initial_import(connection_id=run.connection_id)
            if initial:
                # Check each page's foreign keys as it goes in (while the next one is fetched),
                # rather than a million queued checks at the commit; building the indexes
                # set aside also needs none queued.
                sql.execute("SET CONSTRAINTS ALL IMMEDIATE", [])
            stager = Stager(run, writer=DirectWriter(run, initial_import=initial), initial_import=initial)
            stager.stage_pages(pages, heartbeat=side.heartbeat, heartbeat_due=heartbeat_due, progress=progress)
            if set_aside:
                deferred_indexes_build()
                step("indexed")
            counts = stager.counts
            locked = SyncRun.objects.select_for_update().get(pk=run.pk)
            if locked.status != SyncStatus.RUNNING:
                raise SyncStopped(locked)
            step("locked")
            removed = 0
            if live_before != counts.same + counts.changed:
                if counts.staged > 10_000:
                    sql.execute(f"ANALYZE {SEEN}", [])
                removed = _mark_removed(run)
                step("removed")
            run.created, run.updated = counts.new, counts.changed + counts.reappeared
            run.removed, run.unchanged, run.duplicates = removed, counts.same, counts.duplicates
            run.status = SyncStatus.SUCCEEDED
            run.finished_at = run.heartbeat_at = timezone.now()
            run.error = ""
            run.save()
            step("done")
    finally:
        side.close()
        if set_aside:
            deferred_indexes_ensure()  # the import failed before it built them


def _mark_removed(run: SyncRun) -> int:
    now = timezone.now()
    gone = (
        f"h.connection_id = %s AND NOT h.is_removed AND NOT EXISTS "
        f"(SELECT 1 FROM {SEEN} s WHERE s.etelecom_id = h.etelecom_id)"
    )
    sql.execute(
        f"{sql.CHANGE_INSERT}SELECT h.id, %s, %s, '', '', '', %s FROM {sql.HOTLINE} h WHERE {gone}",
        [run.pk, ChangeKind.REMOVED, now, run.connection_id],
    )
    return sql.execute(
        f"UPDATE {sql.HOTLINE} SET is_removed = true, removed_at = %s, last_changed_at = %s "
        f"WHERE id IN (SELECT h.id FROM {sql.HOTLINE} h WHERE {gone})",
        [now, now, run.connection_id],
    )
