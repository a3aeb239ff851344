"""PostgreSQL: an index on status and network together over live rows, for the list filtered by both.

A list filtered by a status and a network, sorted by another column, was read by walking that
column's index and skipping every row of another status or network. For a rare pair deep in its
pages that is most of the index: `status=Z&network=unknown&sort=-name&page=33` walked 165,000
entries of a 1,000,000-row table to show 50 rows, 0.5-1.4 s (the slowest pages of the load
test). With this index PostgreSQL fetches the pair's 10,000 rows and sorts them: 25-30 ms. For a
common pair it still walks the sort index, which finds its rows at once (the planner decides
from its statistics).

A GIN index (`btree_gin`, shipped with PostgreSQL and trusted like `pg_trgm`), not a B-tree: a
B-tree on (status, network, id) also gives rows in network order within one status, and
PostgreSQL 15 took that for `status=P&network=other&network=viettel&sort=network`, walking past
all of Mobifone's 140,000 rows (230 ms instead of 4 ms by the network index). A GIN index gives
no order, so it is only ever used to find a pair's rows. 3 MB, built in about 0.6 s at 1M rows. A
first import sets it aside and builds it at its end, as it does the other GIN indexes (the B-tree
version, kept up to date row by row, cost a 1M import 8-10 s): `deferred_indexes.py` holds the
same definition.

SQLite is left as it is: at its scale (100,000 rows) the same pages take under 60 ms there
(measured on the benchmark's data: it reads the network index and sorts).
"""

from django.db import migrations

NAME = "hotline_live_status_network"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("hotlines", "Hotline")._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
        cursor.execute(
            f'CREATE INDEX IF NOT EXISTS "{NAME}" ON "{table}" USING gin (status, network) WHERE NOT is_removed'
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f'DROP INDEX IF EXISTS "{NAME}"')


class Migration(migrations.Migration):
    dependencies = [("hotlines", "0007_sort_indexes_with_tie_breaker")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
