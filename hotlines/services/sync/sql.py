"""The few SQL statements that make a sync fast, written once for SQLite and PostgreSQL.

A sync moves up to millions of rows, so it does not build a model instance per row: each page is
sent to the database as one JSON parameter and unpacked there (`json_each` on SQLite,
`json_to_recordset` on PostgreSQL), and the apply phase is a handful of set-based statements.
Table and column names come from the models; values always travel as parameters.
"""

# ruff: noqa: S608 - SQL built from the models' table and column names; values always go as parameters.

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from operator import itemgetter

from django.db import connection, transaction

from ...choices import ACTIVE_SYNC_STATUSES
from ...hotline_fields import BOOL, CONTENT_FIELDS, HOTLINE_FIELDS, TRACKED_FIELDS
from ...models import Hotline, HotlineChange, StagedHotline, SyncRun

HOTLINE = Hotline._meta.db_table
STAGED = StagedHotline._meta.db_table
CHANGE = HotlineChange._meta.db_table
RUN = SyncRun._meta.db_table

# The upstream values a staged row carries to `Hotline`, with their PostgreSQL types.
CONTENT_COLUMNS = {
    **{field.name: field.sql_type for field in CONTENT_FIELDS},
    "raw": "jsonb",
    "content_hash": "text",
    "search_text": "text",
}
STAGED_COLUMNS = {"etelecom_id": "text", "state": "smallint", **CONTENT_COLUMNS}
# Fields whose changes the history records (timestamps change with everything else).
HISTORY_FIELDS = tuple(field.name for field in TRACKED_FIELDS)


# JSON as compact text, non-ASCII kept as is (pages of rows sent as one parameter).
json_text = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


@contextmanager
def relaxed_durability() -> Iterator[None]:
    """While staging, don't wait for each small commit to reach the disk (PostgreSQL): a crash
    loses nothing that matters, as the run would be failed anyway. The apply commits durably."""
    if not is_postgresql():
        yield
        return
    execute("SET synchronous_commit TO off", [])
    try:
        yield
    finally:
        execute("RESET synchronous_commit", [])


def datetime_formatter() -> Callable[[datetime | None], str | None]:
    """A fast function writing datetimes as this database stores them, for JSON parameters.

    PostgreSQL reads ISO 8601 with the offset; Django keeps SQLite datetimes as naive text in
    the connection's time zone (what `adapt_datetimefield_value` does, without its per-call cost).
    """
    if is_postgresql():
        return lambda value: value.isoformat() if value is not None else None
    zone = connection.timezone

    def sqlite(value: datetime | None) -> str | None:
        return str(value.astimezone(zone).replace(tzinfo=None)) if value is not None else None

    return sqlite


def db_param(value: datetime) -> object:
    """A datetime as a query parameter (raw cursors do not adapt values the way the ORM does)."""
    return connection.ops.adapt_datetimefield_value(value)


def _rows_source(columns: dict[str, str]) -> tuple[str, list[str]]:
    """FROM clause unpacking a JSON array of objects, and the expression of each column."""
    if is_postgresql():
        spec = ", ".join(f"{name} {kind}" for name, kind in columns.items())
        return f"json_to_recordset(%s::json) AS x({spec})", [f"x.{name}" for name in columns]
    return "json_each(%s) AS x", [f"json_extract(x.value, '$.{name}')" for name in columns]


def _ids_source() -> str:
    """A sub-select over a JSON array of text IDs."""
    if is_postgresql():
        return "SELECT json_array_elements_text(%s::json)"
    return "SELECT value FROM json_each(%s)"


def execute(sql: str, params: Sequence) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def current_hashes(*, connection_id: int, ids: Sequence[str]) -> dict[str, tuple[str, bool]]:
    """{etelecom_id: (content_hash, is_removed)} of the given IDs already in the snapshot."""
    sql = (
        f"SELECT etelecom_id, content_hash, is_removed FROM {HOTLINE} "
        f"WHERE connection_id = %s AND etelecom_id IN ({_ids_source()})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection_id, json.dumps(list(ids))])
        return {etelecom_id: (digest, bool(removed)) for etelecom_id, digest, removed in cursor.fetchall()}


def stage_ids(*, run_id: int, ids: Sequence[str], state: int) -> int:
    """Stage hotlines identical to the snapshot by ID only; returns how many were new to the run."""
    source = "json_array_elements_text(%s::json) AS x(value)" if is_postgresql() else "json_each(%s) AS x"
    sql = (
        f"INSERT INTO {STAGED} (sync_run_id, etelecom_id, state) "
        f"SELECT %s, x.value, %s FROM {source} WHERE true "
        "ON CONFLICT (sync_run_id, etelecom_id) DO NOTHING"
    )
    return execute(sql, [run_id, state, json.dumps(list(ids))])


def stage_rows(*, run_id: int, rows: list[dict]) -> list[int]:
    """Stage full rows (dicts keyed by STAGED_COLUMNS); returns the states of those new to the
    run (an ID staged by an earlier page is kept as it was)."""
    if is_postgresql():
        return _stage_rows_json(run_id=run_id, rows=json_text(rows))
    # SQLite: bound parameters, one prepared statement for the page. Unpacking a JSON array with
    # json_extract parses each row's object once per column, and cost four times as much.
    columns = ["sync_run_id", *STAGED_COLUMNS]
    sql = (
        f"INSERT INTO {STAGED} ({', '.join(columns)}) VALUES ({', '.join('%s' for _ in columns)}) "
        "ON CONFLICT (sync_run_id, etelecom_id) DO NOTHING"
    )
    pick = itemgetter(*STAGED_COLUMNS)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, [(run_id, *pick(row)) for row in rows])
            if cursor.rowcount != len(rows):
                raise _AlreadyStaged
        return [row["state"] for row in rows]
    except _AlreadyStaged:  # rolled back: some IDs came on an earlier page too, the first one wins
        staged = set(_staged_ids(run_id=run_id, ids=[row["etelecom_id"] for row in rows]))
        fresh = [row for row in rows if row["etelecom_id"] not in staged]
        with connection.cursor() as cursor:
            cursor.executemany(sql, [(run_id, *pick(row)) for row in fresh])
        return [row["state"] for row in fresh]


class _AlreadyStaged(Exception):
    """A page held IDs an earlier page staged (rare: the upstream repeated itself)."""


def _staged_ids(*, run_id: int, ids: Sequence[str]) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT etelecom_id FROM {STAGED} WHERE sync_run_id = %s AND etelecom_id IN ({_ids_source()})",
            [run_id, json.dumps(list(ids))],
        )
        return [etelecom_id for (etelecom_id,) in cursor.fetchall()]


def _stage_rows_json(*, run_id: int, rows: str) -> list[int]:
    source, values = _rows_source(STAGED_COLUMNS)
    sql = (
        f"INSERT INTO {STAGED} (sync_run_id, {', '.join(STAGED_COLUMNS)}) "
        f"SELECT %s, {', '.join(values)} FROM {source} WHERE true "
        "ON CONFLICT (sync_run_id, etelecom_id) DO NOTHING RETURNING state"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [run_id, rows])
        return [state for (state,) in cursor.fetchall()]


# --- apply (inside the one transaction that makes the new snapshot visible) ---------------------


def _distinct(left: str, right: str) -> str:
    """Null-safe 'differs' (SQLite spells it IS NOT)."""
    return f"{left} IS DISTINCT FROM {right}" if is_postgresql() else f"{left} IS NOT {right}"


_BOOLEANS = {field.name for field in HOTLINE_FIELDS if field.kind == BOOL}


def display(column: str) -> str:
    """A column's value as the history shows it: text as is, booleans as true/false, NULL as ''."""
    if column.rpartition(".")[2] in _BOOLEANS:
        return f"CASE WHEN {column} IS NULL THEN '' WHEN {column} THEN 'true' ELSE 'false' END"
    return f"COALESCE({column}, '')"


_JOIN = f"FROM {STAGED} s JOIN {HOTLINE} h ON h.connection_id = %s AND h.etelecom_id = s.etelecom_id"
CHANGE_INSERT = f"INSERT INTO {CHANGE} (hotline_id, sync_run_id, kind, field, old_value, new_value, changed_at) "


def record_field_changes(*, run_id: int, connection_id: int, states: Sequence[int], now: datetime) -> int:
    """History rows for every field that differs between staged rows and the snapshot (run first)."""
    now = db_param(now)
    placeholders = ", ".join("%s" for _ in states)
    selects, params = [], []
    for field in HISTORY_FIELDS:
        selects.append(
            f"SELECT h.id, %s, 'changed', %s, {display('h.' + field)}, {display('s.' + field)}, %s "
            f"{_JOIN} WHERE s.sync_run_id = %s AND s.state IN ({placeholders}) "
            f"AND {_distinct('h.' + field, 's.' + field)}"
        )
        params += [run_id, field, now, connection_id, run_id, *states]
    return execute(CHANGE_INSERT + " UNION ALL ".join(selects), params)


def record_kind(*, run_id: int, connection_id: int, state: int, kind: str, now: datetime) -> int:
    """A history row of `kind` for every staged row in `state` (matched to the snapshot by ID)."""
    now = db_param(now)
    sql = f"{CHANGE_INSERT}SELECT h.id, %s, %s, '', '', '', %s {_JOIN} WHERE s.sync_run_id = %s AND s.state = %s"
    return execute(sql, [run_id, kind, now, connection_id, run_id, state])


def live_count(*, connection_id: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {HOTLINE} WHERE connection_id = %s AND NOT is_removed", [connection_id])
        return cursor.fetchone()[0]


# The live hotlines of a connection that a run did not stage.
_GONE = (
    "h.connection_id = %s AND NOT h.is_removed AND NOT EXISTS "
    f"(SELECT 1 FROM {STAGED} s WHERE s.sync_run_id = %s AND s.etelecom_id = h.etelecom_id)"
)


def mark_removed(*, run_id: int, connection_id: int, now: datetime) -> int:
    """Record and mark removed the live hotlines this run did not see; returns how many."""
    now = db_param(now)
    execute(
        f"{CHANGE_INSERT}SELECT h.id, %s, 'removed', '', '', '', %s FROM {HOTLINE} h WHERE {_GONE}",
        [run_id, now, connection_id, run_id],
    )
    return execute(
        f"UPDATE {HOTLINE} SET is_removed = %s, removed_at = %s, last_changed_at = %s "
        f"WHERE id IN (SELECT h.id FROM {HOTLINE} h WHERE {_GONE})",
        [True, now, now, connection_id, run_id],
    )


def upsert(*, run_id: int, connection_id: int, now: datetime) -> int:
    """Create the new hotlines and overwrite the changed ones from the staged rows."""
    now = db_param(now)
    content = list(CONTENT_COLUMNS)
    columns = ["connection_id", "etelecom_id", *content, "is_removed", "removed_at", "first_seen_at", "last_changed_at"]
    updates = [*content, "is_removed", "removed_at", "last_changed_at"]
    sql = (
        f"INSERT INTO {HOTLINE} ({', '.join(columns)}) "
        f"SELECT %s, s.etelecom_id, {', '.join('s.' + c for c in content)}, %s, NULL, %s, %s "
        f"FROM {STAGED} s WHERE s.sync_run_id = %s AND s.state <> %s "
        "ON CONFLICT (connection_id, etelecom_id) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in updates)
    )
    return execute(sql, [connection_id, False, now, now, run_id, 0])


def unstage(*, run_id: int) -> None:
    """Drop the run's staged rows. When no other run has rows staged, empty the table in one go
    (TRUNCATE, or SQLite's whole-table DELETE): deleting a million rows one by one takes seconds."""
    with transaction.atomic():
        if is_postgresql():
            # Nobody can stage while we hold this lock, so "no other run's rows" stays true.
            execute(f"LOCK TABLE {STAGED} IN ACCESS EXCLUSIVE MODE", [])
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT 1 FROM {STAGED} WHERE sync_run_id < %s OR sync_run_id > %s LIMIT 1",
                [run_id, run_id],
            )
            others = cursor.fetchone() is not None
        if others:
            execute(f"DELETE FROM {STAGED} WHERE sync_run_id = %s", [run_id])
        elif is_postgresql():
            execute(f"TRUNCATE {STAGED}", [])
        else:
            execute(f"DELETE FROM {STAGED}", [])


def unstage_ended() -> int:
    """Drop the rows staged by runs that are no longer queued or running: a sync killed before
    it could clean up (SIGKILL, a crash, a lost machine) leaves them, and nothing else would.
    One statement whatever their number; returns how many went."""
    active = ", ".join(["%s"] * len(ACTIVE_SYNC_STATUSES))
    return execute(
        f"DELETE FROM {STAGED} WHERE sync_run_id NOT IN (SELECT id FROM {RUN} WHERE status IN ({active}))",
        [str(status) for status in ACTIVE_SYNC_STATUSES],
    )
