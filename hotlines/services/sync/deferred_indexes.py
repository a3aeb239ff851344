"""PostgreSQL: the indexes a first import sets aside while it fills an empty table, and builds
once at its end: the GIN indexes (trigrams of the quick search; status and network), and the
B-tree of a tenant's hotlines (connection, owner, date).

Keeping a GIN trigram index up to date row by row is the dearest part of writing a hotline (about
70 trigrams each): at 1,000,000 hotlines it cost about 50 s of the database's time, where building
the index over the finished table takes about 20 s. The status and network index of migration
0008 takes about 0.6 s to build at the end (as a B-tree kept up to date it cost a 1M import 8-10
s: 88 s against 78 s, measured twice each). The B-trees stay: setting all of them aside as well
was slower (81-83 s against 79 s), their upkeep overlapping the fetch while building them adds
to the wait.

So when a sync imports into a table that holds no hotline at all (a fresh install), these
indexes are dropped in a short transaction of their own (the table is empty, so that lock is
instant) and created again inside the import's transaction just before it commits: readers
never wait (CREATE INDEX blocks writers only), and the hotlines appear together with their
indexes.

Whatever happens to the import, the indexes come back: the import recreates them when it ends,
failed or not, and every sync first recreates any that a killed process left missing. The
definitions are those of migrations 0005, 0008 and 0015 (a test compares them).
"""

# ruff: noqa: S608 - SQL built from the model's table name and the constant index definitions.

from __future__ import annotations

import logging

from django.db import OperationalError, connection, transaction

from . import sql

logger = logging.getLogger(__name__)

# {name: CREATE INDEX statement}, as migrations 0005, 0008 and 0015 make them.
INDEXES = {
    **{
        name: f'CREATE INDEX "{name}" ON "{sql.HOTLINE}" USING gin ("{column}" gin_trgm_ops)'
        for name, column in (("hotline_search_text_trgm", "search_text"), ("hotline_number_trgm", "hotline"))
    },
    "hotline_live_status_network": (
        f'CREATE INDEX "hotline_live_status_network" ON "{sql.HOTLINE}" '
        "USING gin (status, network) WHERE NOT is_removed"
    ),
    # A tenant's hotlines in the list's order (migration 0015, the model's Meta). Kept up to date
    # row by row it took 0.03-0.06 off a first import's ratio to the fetch-only floor (200,000
    # hotlines, two noisy rounds); built at the end it costs about 2.5 s at 1,000,000.
    "hotline_live_owner_created": (
        f'CREATE INDEX "hotline_live_owner_created" ON "{sql.HOTLINE}" '
        '("connection_id", "owner_id", "created_at" DESC, "id" DESC) WHERE NOT "is_removed"'
    ),
}
# How long setting the indexes aside may wait for readers of the (empty) table before giving up.
LOCK_TIMEOUT = "1s"


def deferred_indexes_missing() -> list[str]:
    """The names of these indexes that do not exist now."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM unnest(%s::text[]) AS name WHERE to_regclass(name) IS NULL", [list(INDEXES)])
        return [name for (name,) in cursor.fetchall()]


def deferred_indexes_ensure() -> None:
    """Create any of these indexes missing (a first import killed before its end). A catalogue
    lookup when none is; creating one blocks writers to the table, never readers."""
    if not sql.is_postgresql():
        return
    for name in deferred_indexes_missing():
        logger.warning("recreating the index %s, which a first import left missing", name)
        sql.execute(INDEXES[name], [])


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
            for name in INDEXES:
                sql.execute(f'DROP INDEX IF EXISTS "{name}"', [])
    except OperationalError:  # the lock timed out: someone is using the table
        return False
    return True


def deferred_indexes_build() -> None:
    """Build the indexes set aside, inside the import's transaction (before it commits).

    PostgreSQL refuses to index a table with foreign-key checks still queued: the import runs
    them as it goes (`SET CONSTRAINTS ALL IMMEDIATE`, in `direct.py`)."""
    for definition in INDEXES.values():
        sql.execute(definition, [])
