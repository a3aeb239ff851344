"""The SQL of PostgreSQL's direct path (`direct.py`): each page goes straight into the snapshot,
inside the transaction that will publish it, and the IDs seen go to a temporary table for the
removals at the end. Each page is one JSON parameter (jsonb: unpacked faster than json).
"""

# ruff: noqa: S608 - SQL built from the models' table and column names; values always go as parameters.

from __future__ import annotations

from operator import itemgetter

from .sql import CHANGE_INSERT, CONTENT_COLUMNS, HISTORY_FIELDS, HOTLINE, STAGED_COLUMNS, display

SEEN = "sync_seen"  # temporary table: the IDs this run saw (dropped at commit)
CREATE_SEEN = f"CREATE TEMPORARY TABLE {SEEN} (etelecom_id text PRIMARY KEY) ON COMMIT DROP"
KEEP_SEEN = f"INSERT INTO {SEEN} SELECT json_array_elements_text(%s::json) ON CONFLICT DO NOTHING"
KEEP_SEEN_RETURNING = f"{KEEP_SEEN} RETURNING etelecom_id"
EARLIER_IN_SNAPSHOT = f"SELECT etelecom_id FROM {HOTLINE} WHERE connection_id = %s AND etelecom_id = ANY(%s)"
COLUMN_TYPES = (
    "SELECT attname, atttypid::int FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped"
)

_COLUMNS = ", ".join(f"{name} {kind}" for name, kind in STAGED_COLUMNS.items())
# A page of rows, sent as one JSON parameter (jsonb: unpacked faster than json).
_SOURCE = f"jsonb_to_recordset(%s::jsonb) AS s({_COLUMNS})"
_SOURCE_NAMED = f"jsonb_to_recordset(%(rows)s::jsonb) AS s({_COLUMNS})"
_CONTENT = list(CONTENT_COLUMNS)
_UPSERT = (
    f"INSERT INTO {HOTLINE} (connection_id, etelecom_id, {', '.join(_CONTENT)}, "
    "is_removed, removed_at, first_seen_at, last_changed_at) "
    f"SELECT %s, s.etelecom_id, {', '.join('s.' + c for c in _CONTENT)}, false, NULL, %s, %s FROM {_SOURCE} "
    "ON CONFLICT (connection_id, etelecom_id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in [*_CONTENT, "is_removed", "removed_at", "last_changed_at"])
)
COPY_COLUMNS = [
    "connection_id", "etelecom_id", *_CONTENT, "is_removed", "removed_at", "first_seen_at", "last_changed_at"
]  # fmt: skip
COPY = f"COPY {HOTLINE} ({', '.join(COPY_COLUMNS)}) FROM STDIN (FORMAT BINARY)"
# A row's values in COPY_COLUMNS' order, between the connection and the tail the writer adds.
pick = itemgetter("etelecom_id", *_CONTENT)
# The upsert, recording the new ones as appeared: xmax is 0 on a row this statement inserted.
UPSERT_RECORDING = (
    f"WITH up AS ({_UPSERT} RETURNING id, (xmax = 0) AS inserted) "
    f"{CHANGE_INSERT}SELECT id, %s, %s, '', '', '', %s FROM up WHERE inserted"
)
FIELD_CHANGES = f"WITH s AS MATERIALIZED (SELECT * FROM {_SOURCE_NAMED}) {CHANGE_INSERT}" + " UNION ALL ".join(
    f"SELECT h.id, %(run)s, 'changed', '{field}', {display('h.' + field)}, {display('s.' + field)}, "
    f"%(now)s FROM s JOIN {HOTLINE} h ON h.connection_id = %(connection)s AND h.etelecom_id = s.etelecom_id "
    f"WHERE h.{field} IS DISTINCT FROM s.{field}"
    for field in HISTORY_FIELDS
)
REAPPEARED = (
    f"{CHANGE_INSERT}SELECT h.id, %s, %s, '', '', '', %s FROM {HOTLINE} h "
    "WHERE h.connection_id = %s AND h.etelecom_id IN (SELECT json_array_elements_text(%s::json))"
)
# The live hotlines of a connection that this run did not see.
_GONE = (
    "h.connection_id = %s AND NOT h.is_removed AND NOT EXISTS "
    f"(SELECT 1 FROM {SEEN} s WHERE s.etelecom_id = h.etelecom_id)"
)
RECORD_REMOVED = f"{CHANGE_INSERT}SELECT h.id, %s, %s, '', '', '', %s FROM {HOTLINE} h WHERE {_GONE}"
MARK_REMOVED = (
    f"UPDATE {HOTLINE} SET is_removed = true, removed_at = %s, last_changed_at = %s "
    f"WHERE id IN (SELECT h.id FROM {HOTLINE} h WHERE {_GONE})"
)
