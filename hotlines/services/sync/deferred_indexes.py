"""PostgreSQL: the indexes a first import sets aside while it fills an empty table, and builds
once at its end: every index of `Hotline` but its primary key and its unique (connection,
eTelecom ID), which the import needs to notice a hotline sent twice. That is the GIN indexes
(trigrams of the quick search; status and network) and the B-trees of the list's sort orders.

Keeping an index up to date row by row costs far more than building it once over the finished
table, which reads the rows once, sorts them and writes the index packed. The trigram GIN index
cost a 1,000,000-row import about 50 s kept up to date, about 20 s built at the end. The twelve
B-trees too: in a first sync of 200,000 hotlines the database's backend spent 14.7-14.8 s of CPU
with them kept up to date and 10.7-11.1 s with them built at the end (two interleaved runs each;
the client's and the sandbox's CPU unchanged), and on a machine whose cores the fetch already
keeps busy that CPU is what the sync waits for. (An earlier round had kept them, measuring wall
time at 1,000,000 rows: 81-83 s against 79 s.) The builds get more sort memory than the
server's default (`BUILD_MEMORY`), for the import's transaction only.

So when a sync imports into a table that holds no hotline at all (a fresh install), these
indexes are dropped in a short transaction of their own (the table is empty, so that lock is
instant) and created again inside the import's transaction just before it commits: readers
never wait (CREATE INDEX blocks writers only), and the hotlines appear together with their
indexes.

Whatever happens to the import, the indexes come back: the import recreates them when it ends,
failed or not, and every sync first recreates any that a killed process left missing. The GIN
definitions are those of migrations 0005 and 0008; the B-trees' are made from the model's
`Meta.indexes`, as its migrations made them (a test compares them all).
"""

# ruff: noqa: S608 - SQL built from the model's table name and the constant index definitions.

from __future__ import annotations

import logging
from functools import cache

from django.db import OperationalError, connection, transaction

from ...models import Hotline
from . import sql

logger = logging.getLogger(__name__)

# {name: CREATE INDEX statement} of the GIN indexes, as migrations 0005 and 0008 make them
# (the model cannot declare them: trigram operator classes, a GIN over two text columns).
GIN_INDEXES = {
    **{
        name: f'CREATE INDEX "{name}" ON "{sql.HOTLINE}" USING gin ("{column}" gin_trgm_ops)'
        for name, column in (("hotline_search_text_trgm", "search_text"), ("hotline_number_trgm", "hotline"))
    },
    "hotline_live_status_network": (
        f'CREATE INDEX "hotline_live_status_network" ON "{sql.HOTLINE}" '
        "USING gin (status, network) WHERE NOT is_removed"
    ),
}
# Sort memory for the builds (the server's default is often 64 MB, and a B-tree of 1,000,000
# rows or the trigram index's entries then spill to disk), for the import's transaction only.
BUILD_MEMORY = "256MB"
# How long setting the indexes aside may wait for readers of the (empty) table before giving up.
LOCK_TIMEOUT = "1s"


@cache
def deferred_indexes_definitions() -> dict[str, str]:
    """{name: CREATE INDEX statement} of every index a first import sets aside: the GIN indexes,
    then the model's B-trees as its migrations made them (Django writes both the same way)."""
    editor = connection.schema_editor(collect_sql=True)
    btrees = {index.name: str(index.create_sql(Hotline, editor)) for index in Hotline._meta.indexes}
    return {**GIN_INDEXES, **btrees}


def deferred_indexes_missing() -> list[str]:
    """The names of these indexes that do not exist now."""
    names = list(deferred_indexes_definitions())
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM unnest(%s::text[]) AS name WHERE to_regclass(name) IS NULL", [names])
        return [name for (name,) in cursor.fetchall()]


def deferred_indexes_ensure() -> None:
    """Create any of these indexes missing (a first import killed before its end). A catalogue
    lookup when none is; creating one blocks writers to the table, never readers."""
    if not sql.is_postgresql():
        return
    for name in deferred_indexes_missing():
        logger.warning("recreating the index %s, which a first import left missing", name)
        sql.execute(deferred_indexes_definitions()[name], [])


def deferred_indexes_set_aside() -> bool:
    """Drop these indexes if the hotline table is empty; True if they were dropped.

    Runs in its own short transaction. Gives up (False) if the table is not empty, or if readers
    or another sync hold it for longer than LOCK_TIMEOUT: the import then keeps the indexes up
    to date as it goes, as every later sync does.
    """
    if not sql.is_postgresql() or connection.in_atomic_block:
        return False
    try:
        with transaction.atomic():
            sql.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'", [])
            sql.execute(f'LOCK TABLE "{sql.HOTLINE}" IN ACCESS EXCLUSIVE MODE', [])
            with connection.cursor() as cursor:
                cursor.execute(f'SELECT EXISTS (SELECT 1 FROM "{sql.HOTLINE}")')
                if cursor.fetchone()[0]:
                    return False
            for name in deferred_indexes_definitions():
                sql.execute(f'DROP INDEX IF EXISTS "{name}"', [])
    except OperationalError:  # the lock timed out: someone is using the table
        return False
    return True


def deferred_indexes_build() -> None:
    """Build the indexes set aside, inside the import's transaction (before it commits).

    PostgreSQL refuses to index a table with foreign-key checks still queued: the import runs
    them as it goes (`SET CONSTRAINTS ALL IMMEDIATE`, in `direct.py`)."""
    sql.execute(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'", [])
    for definition in deferred_indexes_definitions().values():
        sql.execute(definition, [])
