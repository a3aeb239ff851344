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
The statements are in `sql_direct.py`.

SQLite allows one writer at a time: a transaction open for the whole fetch would block every
other write (sign-ins, the audit log, the task queue) for minutes. There the sync stages and
applies at the end (`staging.py`).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from psycopg import postgres
from psycopg.adapt import Dumper
from psycopg.errors import UniqueViolation
from psycopg.pq import Format

from ...choices import ChangeKind
from ...models import StagedState, SyncRun
from . import sql, sql_direct
from .compare import PageComparer, Pages, Progress, sync_is_initial_import
from .deferred_indexes import deferred_indexes_build, deferred_indexes_ensure, deferred_indexes_set_aside
from .runs import sync_run_heartbeat, sync_run_lock, sync_run_succeed
from .steps import step
from .tenants import TenantCounts, tenants_publish


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
        """Note hotlines identical to the snapshot as seen; returns how many were new to the run."""
        return sql.execute(sql_direct.KEEP_SEEN, [json.dumps(ids)])

    def keep_rows(self, rows: list[dict[str, Any]]) -> Counter[int]:
        """Write new and changed hotlines into the snapshot, with their history; returns the
        states of those new to the run, counted."""
        if self.initial_import:
            return self._import(rows)
        with connection.cursor() as cursor:
            cursor.execute(sql_direct.KEEP_SEEN_RETURNING, [json.dumps([row["etelecom_id"] for row in rows])])
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
            sql.execute(sql_direct.FIELD_CHANGES, {**params, "rows": sql.json_text(changed)})
        reappeared = [row["etelecom_id"] for row in changed if row["state"] == StagedState.REAPPEARED]
        if reappeared:
            sql.execute(
                sql_direct.REAPPEARED,
                [self.run_id, ChangeKind.REAPPEARED, self.now, self.connection_id, json.dumps(reappeared)],
            )
        upsert = [self.connection_id, self.now, self.now, sql.json_text(rows)]
        sql.execute(sql_direct.UPSERT_RECORDING, [*upsert, self.run_id, ChangeKind.APPEARED, self.now])
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
                    sql_direct.EARLIER_IN_SNAPSHOT, [self.connection_id, [row["etelecom_id"] for row in rows]]
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
                cursor.execute(sql_direct.COLUMN_TYPES, [sql.HOTLINE])
                oids = dict(cursor.fetchall())
                self._copy_types = [oids[column] for column in sql_direct.COPY_COLUMNS]
            cursor.cursor.adapters.register_dumper(_JsonText, _JsonTextDumper)
            with cursor.copy(sql_direct.COPY) as copy:
                copy.set_types(self._copy_types)
                for row in rows:
                    copy.write_row((self.connection_id, *sql_direct.pick(row), *tail))


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


def _side_connection() -> BaseDatabaseWrapper:
    """A second database connection, outside the sync's transaction, for what others must see now
    (the run's progress and heartbeat)."""
    db = connections.create_connection(DEFAULT_DB_ALIAS)
    with db.cursor() as cursor:
        # Nothing should ever lock the run's row for long; if something in our own transaction
        # did (a progress callback writing to it), fail loudly instead of waiting for ourselves.
        cursor.execute("SET lock_timeout = '10s'")
    return db


def sync_direct(
    *, run: SyncRun, pages: Pages, tenants: TenantCounts, heartbeat_due: Callable[[], bool], progress: Progress | None
) -> None:
    """Fetch, write and publish the snapshot, with the staged `tenants`, in one transaction (see
    the module docstring)."""
    side = _side_connection()
    deferred_indexes_ensure()
    set_aside = sync_is_initial_import(connection_id=run.connection_id) and deferred_indexes_set_aside()
    try:
        with transaction.atomic():
            sql.execute(sql_direct.CREATE_SEEN, [])
            live_before = sql.live_count(connection_id=run.connection_id)
            initial = sync_is_initial_import(connection_id=run.connection_id)
            if initial:
                # Check each page's foreign keys as it goes in (while the next one is fetched),
                # rather than a million queued checks at the commit; building the indexes
                # set aside also needs none queued.
                sql.execute("SET CONSTRAINTS ALL IMMEDIATE", [])
            comparer = PageComparer(run, DirectWriter(run, initial_import=initial), initial_import=initial)
            comparer.compare_pages(
                pages, heartbeat=partial(sync_run_heartbeat, db=side), heartbeat_due=heartbeat_due, progress=progress
            )
            if set_aside:
                deferred_indexes_build()
                step("indexed")
            counts = comparer.counts
            sync_run_lock(run)
            step("locked")
            removed = 0
            if live_before != counts.same + counts.changed:
                if counts.seen > 10_000:
                    sql.execute(f"ANALYZE {sql_direct.SEEN}", [])
                removed = _mark_removed(run)
                step("removed")
            hotlines_changed = bool(counts.new or counts.changed or counts.reappeared or removed)
            tenants_publish(run=run, counts=tenants, hotlines_changed=hotlines_changed, now=timezone.now())
            sync_run_succeed(run, counts=counts, removed=removed, tenants=tenants)
            step("done")
    finally:
        side.close()
        if set_aside:
            deferred_indexes_ensure()  # the import failed before it built them


def _mark_removed(run: SyncRun) -> int:
    now = timezone.now()
    sql.execute(sql_direct.RECORD_REMOVED, [run.pk, ChangeKind.REMOVED, now, run.connection_id])
    return sql.execute(sql_direct.MARK_REMOVED, [now, now, run.connection_id])
