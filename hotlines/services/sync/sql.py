"""What the sync's SQL shares on both databases: table and column names, value formats, a few reads.

The statements themselves live beside it: `sql_staging.py` (stage, then apply: SQLite, and any
database inside a caller's transaction) and `sql_direct.py` (PostgreSQL straight into the snapshot).

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

from django.db import connection

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
    """True on PostgreSQL (the direct path, its own SQL), False on SQLite."""
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


def ids_source() -> str:
    """A sub-select over a JSON array of text IDs."""
    if is_postgresql():
        return "SELECT json_array_elements_text(%s::json)"
    return "SELECT value FROM json_each(%s)"


def rows_source(columns: dict[str, str]) -> tuple[str, list[str]]:
    """FROM clause unpacking a JSON array of objects, and the expression of each column."""
    if is_postgresql():
        spec = ", ".join(f"{name} {kind}" for name, kind in columns.items())
        return f"json_to_recordset(%s::json) AS x({spec})", [f"x.{name}" for name in columns]
    return "json_each(%s) AS x", [f"json_extract(x.value, '$.{name}')" for name in columns]


def distinct(left: str, right: str) -> str:
    """Null-safe 'differs' (SQLite spells it IS NOT)."""
    return f"{left} IS DISTINCT FROM {right}" if is_postgresql() else f"{left} IS NOT {right}"


def execute(sql: str, params: Sequence) -> int:
    """Run one statement on the default connection; returns the rows it touched."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def current_hashes(*, connection_id: int, ids: Sequence[str]) -> dict[str, tuple[str, bool]]:
    """{etelecom_id: (content_hash, is_removed)} of the given IDs already in the snapshot."""
    sql = (
        f"SELECT etelecom_id, content_hash, is_removed FROM {HOTLINE} "
        f"WHERE connection_id = %s AND etelecom_id IN ({ids_source()})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection_id, json.dumps(list(ids))])
        return {etelecom_id: (digest, bool(removed)) for etelecom_id, digest, removed in cursor.fetchall()}


_BOOLEANS = {field.name for field in HOTLINE_FIELDS if field.kind == BOOL}


def display(column: str) -> str:
    """A column's value as the history shows it: text as is, booleans as true/false, NULL as ''."""
    if column.rpartition(".")[2] in _BOOLEANS:
        return f"CASE WHEN {column} IS NULL THEN '' WHEN {column} THEN 'true' ELSE 'false' END"
    return f"COALESCE({column}, '')"


CHANGE_INSERT = f"INSERT INTO {CHANGE} (hotline_id, sync_run_id, kind, field, old_value, new_value, changed_at) "


def live_count(*, connection_id: int) -> int:
    """How many of the connection's hotlines are in the snapshot and not removed."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {HOTLINE} WHERE connection_id = %s AND NOT is_removed", [connection_id])
        return cursor.fetchone()[0]
