"""The SQL of a sync's tenant part (`tenants.py`), on both databases: stage each tenant page in
`StagedTenant`, apply the staged tenants inside the transaction that publishes the hotlines,
count each tenant's hotlines, and drop what was staged.

Tenants are few beside hotlines (about one for twenty), so both databases stage and apply them
the same way; the statements mirror the hotlines' (`sql_staging.py`), with columns from
`tenant_fields.py`. Each page is one JSON parameter, unpacked by the database.
"""

# ruff: noqa: S608 - SQL built from the models' table and column names; values always go as parameters.

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from django.db import connection

from ...choices import ACTIVE_SYNC_STATUSES, HotlineStatus
from ...models import StagedState, StagedTenant, Tenant, TenantChange
from ...selectors.tenancy import JOIN_COLUMNS, match_sql
from ...tenant_fields import CONTENT_FIELDS, TRACKED_FIELDS
from .sql import HOTLINE, RUN, db_param, display, distinct, execute, ids_source, is_postgresql, json_text, rows_source

TENANT = Tenant._meta.db_table
STAGED_TENANT = StagedTenant._meta.db_table
TENANT_CHANGE = TenantChange._meta.db_table

# The upstream values a staged tenant carries to `Tenant`, with their PostgreSQL types.
CONTENT_COLUMNS = {
    **{field.name: field.sql_type for field in CONTENT_FIELDS},
    "raw": "jsonb",
    "content_hash": "text",
    "search_text": "text",
}
STAGED_COLUMNS = {"etelecom_id": "text", "state": "smallint", **CONTENT_COLUMNS}
HISTORY_FIELDS = tuple(field.name for field in TRACKED_FIELDS)
CHANGE_INSERT = f"INSERT INTO {TENANT_CHANGE} (tenant_id, sync_run_id, kind, field, old_value, new_value, changed_at) "


# --- fetch: compare and stage, one page at a time --------------------------------------------


def is_initial_import(*, connection_id: int) -> bool:
    """True when the connection has no tenant yet (not even removed ones): nothing to compare."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {TENANT} WHERE connection_id = %s LIMIT 1", [connection_id])
        return cursor.fetchone() is None


def current_hashes(*, connection_id: int, ids: Sequence[str]) -> dict[str, tuple[str, bool]]:
    """{etelecom_id: (content_hash, is_removed)} of the given IDs already in the snapshot."""
    sql = (
        f"SELECT etelecom_id, content_hash, is_removed FROM {TENANT} "
        f"WHERE connection_id = %s AND etelecom_id IN ({ids_source()})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection_id, json.dumps(list(ids))])
        return {etelecom_id: (digest, bool(removed)) for etelecom_id, digest, removed in cursor.fetchall()}


def stage_ids(*, run_id: int, ids: Sequence[str]) -> int:
    """Stage tenants identical to the snapshot by ID only; returns how many were new to the run."""
    source = "json_array_elements_text(%s::json) AS x(value)" if is_postgresql() else "json_each(%s) AS x"
    sql = (
        f"INSERT INTO {STAGED_TENANT} (sync_run_id, etelecom_id, state) "
        f"SELECT %s, x.value, %s FROM {source} WHERE true "
        "ON CONFLICT (sync_run_id, etelecom_id) DO NOTHING"
    )
    return execute(sql, [run_id, StagedState.SAME, json.dumps(list(ids))])


def stage_rows(*, run_id: int, rows: list[dict]) -> list[int]:
    """Stage new and changed tenants (dicts keyed by STAGED_COLUMNS); returns the states of those
    new to the run (an ID an earlier page staged keeps its first version)."""
    source, values = rows_source(STAGED_COLUMNS)
    sql = (
        f"INSERT INTO {STAGED_TENANT} (sync_run_id, {', '.join(STAGED_COLUMNS)}) "
        f"SELECT %s, {', '.join(values)} FROM {source} WHERE true "
        "ON CONFLICT (sync_run_id, etelecom_id) DO NOTHING RETURNING state"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [run_id, json_text(rows)])
        return [state for (state,) in cursor.fetchall()]


# --- apply (inside the transaction that publishes the hotlines) ------------------------------

_JOIN = f"FROM {STAGED_TENANT} s JOIN {TENANT} t ON t.connection_id = %s AND t.etelecom_id = s.etelecom_id"


def record_field_changes(*, run_id: int, connection_id: int, states: Sequence[int], now: datetime) -> int:
    """History rows for every tracked field that differs between staged tenants and the snapshot."""
    now = db_param(now)
    placeholders = ", ".join("%s" for _ in states)
    selects, params = [], []
    for field in HISTORY_FIELDS:
        selects.append(
            f"SELECT t.id, %s, 'changed', %s, {display('t.' + field)}, {display('s.' + field)}, %s "
            f"{_JOIN} WHERE s.sync_run_id = %s AND s.state IN ({placeholders}) "
            f"AND {distinct('t.' + field, 's.' + field)}"
        )
        params += [run_id, field, now, connection_id, run_id, *states]
    return execute(CHANGE_INSERT + " UNION ALL ".join(selects), params)


def record_kind(*, run_id: int, connection_id: int, state: int, kind: str, now: datetime) -> int:
    """A history row of `kind` for every staged tenant in `state` (matched to the snapshot by ID)."""
    sql = f"{CHANGE_INSERT}SELECT t.id, %s, %s, '', '', '', %s {_JOIN} WHERE s.sync_run_id = %s AND s.state = %s"
    return execute(sql, [run_id, kind, db_param(now), connection_id, run_id, state])


def live_count(*, connection_id: int) -> int:
    """How many of the connection's tenants are in the snapshot and not removed."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {TENANT} WHERE connection_id = %s AND NOT is_removed", [connection_id])
        return cursor.fetchone()[0]


# The live tenants of a connection that a run did not stage.
_GONE = (
    "t.connection_id = %s AND NOT t.is_removed AND NOT EXISTS "
    f"(SELECT 1 FROM {STAGED_TENANT} s WHERE s.sync_run_id = %s AND s.etelecom_id = t.etelecom_id)"
)


def mark_removed(*, run_id: int, connection_id: int, kind: str, now: datetime) -> int:
    """Record (as `kind`) and mark removed the live tenants this run did not see; returns how many."""
    now = db_param(now)
    execute(
        f"{CHANGE_INSERT}SELECT t.id, %s, %s, '', '', '', %s FROM {TENANT} t WHERE {_GONE}",
        [run_id, kind, now, connection_id, run_id],
    )
    return execute(
        # Removed tenants own nothing.
        f"UPDATE {TENANT} SET is_removed = %s, removed_at = %s, last_changed_at = %s, "
        "hotline_count = 0, enabled_count = 0, disabled_count = 0 "
        f"WHERE id IN (SELECT t.id FROM {TENANT} t WHERE {_GONE})",
        [True, now, now, connection_id, run_id],
    )


_CONTENT = list(CONTENT_COLUMNS)
_GROUP = ", ".join(f"h.{column}" for column, _ in JOIN_COLUMNS)
# Each (connection, owner)'s live hotlines, counted: one GROUP BY over the connection's live
# hotlines (or those of the owners `_OWNERS_OF_STAGED` names), by the columns the mapping joins on.
_HOTLINE_COUNTS = (
    f"SELECT {_GROUP}, COUNT(*) AS total, "
    "SUM(CASE WHEN h.status = %s THEN 1 ELSE 0 END) AS enabled, "
    "SUM(CASE WHEN h.status = %s THEN 1 ELSE 0 END) AS disabled "
    f"FROM {HOTLINE} h WHERE h.connection_id = %s AND NOT h.is_removed {{owners}}GROUP BY {_GROUP}"
)
_OWNERS_OF_STAGED = f"AND h.owner_id IN (SELECT owner_id FROM {STAGED_TENANT} WHERE sync_run_id = %s AND state <> %s) "
_COUNTED = ["hotline_count", "enabled_count", "disabled_count"]
_UPSERT = (
    f"INSERT INTO {TENANT} (connection_id, etelecom_id, {', '.join(_CONTENT)}, is_removed, removed_at, "
    f"first_seen_at, last_changed_at, {', '.join(_COUNTED)}) "
    f"SELECT t.connection_id, t.etelecom_id, {', '.join('t.' + c for c in _CONTENT)}, t.is_removed, NULL, %s, %s, "
    "{counts} "
    f"FROM (SELECT %s AS connection_id, s.*, %s AS is_removed FROM {STAGED_TENANT} s "
    "WHERE s.sync_run_id = %s AND s.state <> %s) t {join}WHERE true "
    "ON CONFLICT (connection_id, etelecom_id) DO UPDATE SET "
)
_UPDATED = [*_CONTENT, "is_removed", "removed_at", "last_changed_at"]
# Without counts: new tenants start at zero and the others keep theirs, for `refresh_counts`.
_UPSERT_PLAIN = _UPSERT.format(counts="0, 0, 0", join="") + ", ".join(f"{c} = excluded.{c}" for c in _UPDATED)


def _upsert_counted(owners: str) -> str:
    """The upsert with counts, from their owners' hotlines (already applied): no second write."""
    return _UPSERT.format(
        counts="COALESCE(c.total, 0), COALESCE(c.enabled, 0), COALESCE(c.disabled, 0)",
        join=f"LEFT JOIN ({_HOTLINE_COUNTS.format(owners=owners)}) c ON {match_sql(hotline='c', tenant='t')} ",
    ) + ", ".join(f"{c} = excluded.{c}" for c in [*_UPDATED, *_COUNTED])


# Every owner's hotlines (a first import: all tenants are upserted, one plain GROUP BY is the
# cheapest), or only the upserted tenants' owners' (a few changed tenants: an index lookup each).
_UPSERT_COUNTED_ALL = _upsert_counted("")
_UPSERT_COUNTED_STAGED = _upsert_counted(_OWNERS_OF_STAGED)


def upsert(*, run_id: int, connection_id: int, now: datetime, counts: str = "") -> int:
    """Create the new tenants and overwrite the changed and reappeared ones from the staged rows.
    `counts`: "" new tenants at zero, the others keep theirs (a recount follows); "all" or
    "staged": with their hotline figures, counted over every owner or only the staged ones'."""
    now = db_param(now)
    staged = [connection_id, False, run_id, StagedState.SAME]
    if not counts:
        return execute(_UPSERT_PLAIN, [now, now, *staged])
    statuses = [HotlineStatus.ENABLED, HotlineStatus.DISABLED, connection_id]
    if counts == "all":
        return execute(_UPSERT_COUNTED_ALL, [now, now, *staged, *statuses])
    return execute(_UPSERT_COUNTED_STAGED, [now, now, *staged, *statuses, run_id, StagedState.SAME])


# Every tenant of the connection recounted; only tenants whose figures moved are written (no
# dead rows on PostgreSQL for the others). Removed tenants own nothing: their figures drop to zero.
_COUNTS = (
    f"UPDATE {TENANT} SET hotline_count = x.total, enabled_count = x.enabled, disabled_count = x.disabled "
    "FROM (SELECT t.id, COALESCE(c.total, 0) AS total, COALESCE(c.enabled, 0) AS enabled, "
    "COALESCE(c.disabled, 0) AS disabled "
    f"FROM {TENANT} t LEFT JOIN ({_HOTLINE_COUNTS.format(owners='')}) c "
    f"ON {match_sql(hotline='c', tenant='t')} "
    "WHERE t.connection_id = %s) x "
    f"WHERE {TENANT}.id = x.id AND ({TENANT}.hotline_count <> x.total "
    f"OR {TENANT}.enabled_count <> x.enabled OR {TENANT}.disabled_count <> x.disabled)"
)


def refresh_counts(*, connection_id: int) -> int:
    """Recount the hotlines, enabled and disabled, of every tenant of the connection (live hotlines
    only, matched by the mapping rule); returns how many tenants' figures changed."""
    return execute(_COUNTS, [HotlineStatus.ENABLED, HotlineStatus.DISABLED, connection_id, connection_id])


# --- cleanup -----------------------------------------------------------------------------------


def unstage(*, run_id: int) -> int:
    """Drop the run's staged tenants (a few thousand rows at most: a plain DELETE)."""
    return execute(f"DELETE FROM {STAGED_TENANT} WHERE sync_run_id = %s", [run_id])


def unstage_ended() -> int:
    """Drop the tenants staged by runs no longer queued or running (a killed sync leaves them)."""
    active = ", ".join(["%s"] * len(ACTIVE_SYNC_STATUSES))
    return execute(
        f"DELETE FROM {STAGED_TENANT} WHERE sync_run_id NOT IN (SELECT id FROM {RUN} WHERE status IN ({active}))",
        [str(status) for status in ACTIVE_SYNC_STATUSES],
    )
