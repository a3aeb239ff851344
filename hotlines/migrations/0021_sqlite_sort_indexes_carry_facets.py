"""SQLite: the list's sort indexes carry the facet columns too, as the key's last columns.

Migration 0019 gave PostgreSQL's sort indexes `INCLUDE (status, network)`. SQLite has no INCLUDE
and Django builds them there without it, so a page filtered by status or network and sorted by
date walked the date index and fetched every entry's row from the table to test the filters,
skipped rows included: 5 ms for page 14 of one status and one network at 100,000 hotlines, 50 ms
for page 44 of a rare pair, the slowest list pages of the load benchmark. Put after the key's own
columns (after `id`, which is unique), status and network change nothing in the index's order,
and SQLite tests the filters on the index entry before it reads the row: 1.2 and 12.6 ms.

Each index that declares `include` (models/hotlines.py) is made again with those columns at the
end of its key, from the model's own definition, and the table's statistics gathered again.
About 0.2 s an index at 100,000 hotlines.

To alter a table SQLite's schema editor builds a new one and makes its indexes again from the
model, without these columns: a later migration that alters Hotline on SQLite must run this one's
`forwards` again (`tests/views/test_sort_indexes.py` fails otherwise). Nothing on PostgreSQL.
"""

from django.db import migrations, models


def _carried(index: models.Index) -> models.Index:
    """The index with its included columns as the last columns of its key."""
    return models.Index(fields=[*index.fields, *index.include], name=index.name, condition=index.condition)


def forwards(apps, schema_editor):
    _remake(apps, schema_editor, carried=True)


def backwards(apps, schema_editor):
    _remake(apps, schema_editor, carried=False)


def _remake(apps, schema_editor, *, carried: bool) -> None:
    """Each index that declares `include`, made again with its included columns at the end of its
    key (`carried`) or as Django makes it on SQLite (without them)."""
    if schema_editor.connection.vendor != "sqlite":
        return
    model = apps.get_model("hotlines", "Hotline")
    for index in model._meta.indexes:
        if index.include:
            old, new = (index, _carried(index)) if carried else (_carried(index), index)
            schema_editor.remove_index(model, old)
            schema_editor.add_index(model, new)
    _analyze(schema_editor, model)


def _analyze(schema_editor, model) -> None:
    """Statistics for the new indexes: without them SQLite's planner does not use partial sort
    indexes (services/sync/orchestrator.py), and dropping an index dropped its statistics."""
    table = schema_editor.quote_name(model._meta.db_table)
    schema_editor.execute(f"ANALYZE {table}")


class Migration(migrations.Migration):
    dependencies = [("hotlines", "0020_sqlite_number_trigrams")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
