"""Names and descriptions sort in Vietnamese order (CLDR) on both databases: "Đường…" before "Tổng…".

The columns get the collation `vi-x-icu`: on PostgreSQL the ICU collation that ships with it
(deterministic, tertiary strength: case only breaks ties), on SQLite the collating function of
the same name that `hotlines.collation` registers on every connection (PyICU, the same CLDR
rules). An index inherits its column's collation, so the partial sort index `hotline_live_name`
(name, id) is rebuilt in the new order and still serves `ORDER BY name, id` over live rows; the
SQL that reads and writes the columns (the sync's among it) is unchanged.

No data changes. SQLite rebuilds the table for each column (its way of altering one);
PostgreSQL rebuilds the indexes on them. Reversible: going back restores the default collation.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("hotlines", "0008_hotline_status_network_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="connection",
            name="name",
            field=models.CharField(db_collation='"vi-x-icu"', max_length=100, unique=True, verbose_name="name"),
        ),
        migrations.AlterField(
            model_name="hotline",
            name="description",
            field=models.TextField(blank=True, db_collation='"vi-x-icu"', verbose_name="description"),
        ),
        migrations.AlterField(
            model_name="hotline",
            name="name",
            field=models.CharField(blank=True, db_collation='"vi-x-icu"', max_length=500, verbose_name="name"),
        ),
    ]
