"""Indexes for the audit page's filters on a year of entries.

- the user filter (case-insensitive) reads UPPER(actor_username), newest first, from an index;
- the text search (`target` contains …) uses a pg_trgm GIN index on PostgreSQL (the extension
  comes with 0005); SQLite has no equivalent and scans its smaller table, so nothing there.
"""

import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models

TRIGRAM_INDEX = "audit_target_upper_trgm"


def trigram_forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("hotlines", "AuditEntry")._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        cursor.execute(
            f'CREATE INDEX IF NOT EXISTS "{TRIGRAM_INDEX}" ON "{table}" USING gin (UPPER("target") gin_trgm_ops)'
        )


def trigram_backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f'DROP INDEX IF EXISTS "{TRIGRAM_INDEX}"')


class Migration(migrations.Migration):

    dependencies = [
        ('hotlines', '0005_hotline_search_trigram_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='auditentry',
            index=models.Index(django.db.models.functions.text.Upper('actor_username'), models.OrderBy(models.F('at'), descending=True), name='audit_actor_upper_at'),
        ),
        migrations.RunPython(trigram_forwards, trigram_backwards, elidable=False),
    ]
