"""Trigram indexes for the quick search on PostgreSQL; nothing on other databases.

The search looks for `LIKE '%…%'` in `search_text` (folded name and description) and in the
number. Without an index PostgreSQL reads every row for each keystroke on a million hotlines;
pg_trgm GIN indexes answer such patterns (three characters or more) from the index. SQLite has
no equivalent and scans its (smaller) table quickly enough, so the migration is a no-op there.
"""

from django.db import migrations

INDEXES = {
    "hotline_search_text_trgm": "search_text",
    "hotline_number_trgm": "hotline",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("hotlines", "Hotline")._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, column in INDEXES.items():
            cursor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ("{column}" gin_trgm_ops)')


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in INDEXES:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("hotlines", "0004_staged_columns_and_queued_syncs")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
