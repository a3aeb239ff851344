"""The SQL of the stage-then-apply path: stage each page in `StagedHotline`, then apply it to
the snapshot in a handful of set-based statements (`staging.py`), and drop what was staged.

Each page is sent to the database as one JSON parameter and unpacked there (`json_each` on
SQLite, `json_to_recordset` on PostgreSQL), or bound row by row where that is faster (SQLite).
"""

# ruff: noqa: S608 - SQL built from the models' table and column names; values always go as parameters.

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from operator import itemgetter

from django.db import connection, transaction

from ...choices import ACTIVE_SYNC_STATUSES
from . import sql_tenants
from .sql import (
    CHANGE_INSERT,
    CONTENT_COLUMNS,
    HISTORY_FIELDS,
    HOTLINE,
    RUN,
    STAGED,
    STAGED_COLUMNS,
    db_param,
    display,
    distinct,
    execute,
    ids_source,
    is_postgresql,
    json_text,
    rows_source,
)


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
            f"SELECT etelecom_id FROM {STAGED} WHERE sync_run_id = %s AND etelecom_id IN ({ids_source()})",
            [run_id, json.dumps(list(ids))],
        )
        return [etelecom_id for (etelecom_id,) in cursor.fetchall()]


def _stage_rows_json(*, run_id: int, rows: str) -> list[int]:
    source, values = rows_source(STAGED_COLUMNS)
    sql = (
        f"INSERT INTO {STAGED} (sync_run_id, {', '.join(STAGED_COLUMNS)}) "
        f"SELECT %s, {', '.join(values)} FROM {source} WHERE true "
        "ON CONFLICT (sync_run_id, etelecom_id) DO NOTHING RETURNING state"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [run_id, rows])
        return [state for (state,) in cursor.fetchall()]


# --- apply (inside the one transaction that makes the new snapshot visible) ---------------------


_JOIN = f"FROM {STAGED} s JOIN {HOTLINE} h ON h.connection_id = %s AND h.etelecom_id = s.etelecom_id"


def record_field_changes(*, run_id: int, connection_id: int, states: Sequence[int], now: datetime) -> int:
    """History rows for every field that differs between staged rows and the snapshot (run first)."""
    now = db_param(now)
    placeholders = ", ".join("%s" for _ in states)
    selects, params = [], []
    for field in HISTORY_FIELDS:
        selects.append(
            f"SELECT h.id, %s, 'changed', %s, {display('h.' + field)}, {display('s.' + field)}, %s "
            f"{_JOIN} WHERE s.sync_run_id = %s AND s.state IN ({placeholders}) "
            f"AND {distinct('h.' + field, 's.' + field)}"
        )
        params += [run_id, field, now, connection_id, run_id, *states]
    return execute(CHANGE_INSERT + " UNION ALL ".join(selects), params)


def record_kind(*, run_id: int, connection_id: int, state: int, kind: str, now: datetime) -> int:
    """A history row of `kind` for every staged row in `state` (matched to the snapshot by ID)."""
    now = db_param(now)
    sql = f"{CHANGE_INSERT}SELECT h.id, %s, %s, '', '', '', %s {_JOIN} WHERE s.sync_run_id = %s AND s.state = %s"
    return execute(sql, [run_id, kind, now, connection_id, run_id, state])


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
    """Drop the run's staged rows, tenants too. When no other run has hotlines staged, empty their
    table in one go (TRUNCATE, or SQLite's whole-table DELETE): deleting a million rows one by one
    takes seconds."""
    with transaction.atomic():
        sql_tenants.unstage(run_id=run_id)
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
    One statement whatever their number (and one for their tenants); returns how many hotlines went."""
    sql_tenants.unstage_ended()
    active = ", ".join(["%s"] * len(ACTIVE_SYNC_STATUSES))
    return execute(
        f"DELETE FROM {STAGED} WHERE sync_run_id NOT IN (SELECT id FROM {RUN} WHERE status IN ({active}))",
        [str(status) for status in ACTIVE_SYNC_STATUSES],
    )
