"""The hotline list's sort indexes carry the facet columns (INCLUDE status, network), so that a
page filtered by them reads its IDs from the index alone (selectors/sort_plans.py `ids_first`).

PostgreSQL only: Django builds the same indexes as before on SQLite, which has no INCLUDE. Each is
dropped and built again, in the migration's transaction (about a second an index at 1,000,000
hotlines, writes to the table waiting meanwhile).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("hotlines", "0018_connection_page_size_1000"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="hotline",
            name="hotline_live_created",
        ),
        migrations.RemoveIndex(
            model_name="hotline",
            name="hotline_live_updated",
        ),
        migrations.RemoveIndex(
            model_name="hotline",
            name="hotline_live_status",
        ),
        migrations.RemoveIndex(
            model_name="hotline",
            name="hotline_live_network",
        ),
        migrations.RemoveIndex(
            model_name="hotline",
            name="hotline_live_number",
        ),
        migrations.RemoveIndex(
            model_name="hotline",
            name="hotline_live_name",
        ),
        migrations.RemoveIndex(
            model_name="hotline",
            name="hotline_live_free",
        ),
        migrations.RemoveIndex(
            model_name="hotline",
            name="hotline_live_method",
        ),
        migrations.RemoveIndex(
            model_name="hotline",
            name="hotline_live_owner",
        ),
        migrations.RemoveIndex(
            model_name="hotline",
            name="hotline_live_upstream_id",
        ),
        migrations.AddIndex(
            model_name="hotline",
            index=models.Index(
                fields=["is_removed", "-created_at", "-id"], include=("status", "network"), name="hotline_live_created"
            ),
        ),
        migrations.AddIndex(
            model_name="hotline",
            index=models.Index(
                fields=["is_removed", "-updated_at", "-id"], include=("status", "network"), name="hotline_live_updated"
            ),
        ),
        migrations.AddIndex(
            model_name="hotline",
            index=models.Index(
                condition=models.Q(("is_removed", False)),
                fields=["status", "id"],
                include=("network",),
                name="hotline_live_status",
            ),
        ),
        migrations.AddIndex(
            model_name="hotline",
            index=models.Index(
                condition=models.Q(("is_removed", False)),
                fields=["network", "id"],
                include=("status",),
                name="hotline_live_network",
            ),
        ),
        migrations.AddIndex(
            model_name="hotline",
            index=models.Index(
                condition=models.Q(("is_removed", False)),
                fields=["hotline", "id"],
                include=("status", "network"),
                name="hotline_live_number",
            ),
        ),
        migrations.AddIndex(
            model_name="hotline",
            index=models.Index(
                condition=models.Q(("is_removed", False)),
                fields=["name", "id"],
                include=("status", "network"),
                name="hotline_live_name",
            ),
        ),
        migrations.AddIndex(
            model_name="hotline",
            index=models.Index(
                condition=models.Q(("is_removed", False)),
                fields=["is_free_charge", "id"],
                include=("status", "network"),
                name="hotline_live_free",
            ),
        ),
        migrations.AddIndex(
            model_name="hotline",
            index=models.Index(
                condition=models.Q(("is_removed", False)),
                fields=["connection_method", "id"],
                include=("status", "network"),
                name="hotline_live_method",
            ),
        ),
        migrations.AddIndex(
            model_name="hotline",
            index=models.Index(
                condition=models.Q(("is_removed", False)),
                fields=["owner_id", "id"],
                include=("status", "network"),
                name="hotline_live_owner",
            ),
        ),
        migrations.AddIndex(
            model_name="hotline",
            index=models.Index(
                condition=models.Q(("is_removed", False)),
                fields=["etelecom_id", "id"],
                include=("status", "network"),
                name="hotline_live_upstream_id",
            ),
        ),
    ]
