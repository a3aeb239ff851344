"""SQLite: a trigram index of the hotlines' numbers (FTS5), what pg_trgm is to PostgreSQL (0005).

A search for part of a number (`LIKE '%33835%'`) used to read all of the live-number index's
entries: 14-15 ms a query at 100,000 hotlines, for the page, its count and its facets alike,
which made a number search cost about three list pages. FTS5's trigram tokenizer (SQLite 3.34
and later, in every build that has FTS5) answers the same LIKE from the trigrams of the needle:
0.2-0.4 ms for a needle of five digits or more.

`hotline_number_trigrams` is an external-content table: it keeps only the index; the numbers stay
in the hotline table, by ID (its rowid). Triggers keep it in step with every write, whatever
makes it (the sync's SQL, the ORM, a person in the Django admin): a row added, a number changed,
a row deleted. Every row is indexed, removed ones too, so the search may still filter those as it
does now. `detail=none`: the index stores which rows hold a trigram, not where; LIKE then checks
each candidate against its number, which is cheap, and the index is 2.5 times smaller (1 MB at
100,000 hotlines). Building it over 100,000 existing hotlines takes about 0.2 s.

To alter a table SQLite's schema editor builds a new one and drops the old, and its triggers with
it: a later migration that alters Hotline on SQLite must create these triggers again and rebuild
the index (`tests/views/test_hotline_search.py` fails otherwise). Nothing on PostgreSQL.
"""

# ruff: noqa: S608 - SQL built from the constant table name and the model's table name.

from django.db import migrations

TABLE = "hotline_number_trigrams"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    hotlines = apps.get_model("hotlines", "Hotline")._meta.db_table
    statements = [
        f"CREATE VIRTUAL TABLE {TABLE} USING fts5(hotline, content='{hotlines}', content_rowid='id', "
        "tokenize='trigram', detail='none')",
        f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')",
        f"CREATE TRIGGER {TABLE}_added AFTER INSERT ON {hotlines} BEGIN "
        f"INSERT INTO {TABLE}(rowid, hotline) VALUES (new.id, new.hotline); END",
        f"CREATE TRIGGER {TABLE}_deleted AFTER DELETE ON {hotlines} BEGIN "
        f"INSERT INTO {TABLE}({TABLE}, rowid, hotline) VALUES ('delete', old.id, old.hotline); END",
        f"CREATE TRIGGER {TABLE}_changed AFTER UPDATE OF hotline ON {hotlines} "
        f"WHEN old.hotline IS NOT new.hotline BEGIN "
        f"INSERT INTO {TABLE}({TABLE}, rowid, hotline) VALUES ('delete', old.id, old.hotline); "
        f"INSERT INTO {TABLE}(rowid, hotline) VALUES (new.id, new.hotline); END",
    ]
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        for trigger in ("added", "deleted", "changed"):
            cursor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_{trigger}")
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


class Migration(migrations.Migration):
    dependencies = [("hotlines", "0019_sort_indexes_carry_facets")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
