"""Staging with typed columns (so a sync applies with set-based SQL) and a queued sync state.

Staged rows only live while a sync runs, so the staging table is simply recreated (unlogged
on PostgreSQL). A sync
waiting in the task queue now counts as active for single flight, like a running one.
"""

import django.db.models.deletion
from django.db import migrations, models


def staging_unlogged(apps, schema_editor):
    # Staged rows are worth nothing after a crash (the run is failed as dead), so on PostgreSQL
    # they skip the write-ahead log: staging a million hotlines writes far less.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE hotlines_stagedhotline SET UNLOGGED")


def staging_logged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE hotlines_stagedhotline SET LOGGED")


class Migration(migrations.Migration):
    dependencies = [
        ("hotlines", "0003_roles_and_audit_actions"),
    ]

    operations = [
        migrations.DeleteModel(name="StagedHotline"),
        migrations.CreateModel(
            name="StagedHotline",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("etelecom_id", models.CharField(max_length=32)),
                (
                    "state",
                    models.PositiveSmallIntegerField(
                        choices=[(0, "same"), (1, "new"), (2, "changed"), (3, "reappeared")]
                    ),
                ),
                ("hotline", models.CharField(db_default="", max_length=32)),
                ("name", models.CharField(db_default="", max_length=500)),
                ("description", models.TextField(db_default="")),
                ("network", models.CharField(db_default="", max_length=50)),
                ("status", models.CharField(db_default="", max_length=50)),
                ("is_free_charge", models.BooleanField(null=True)),
                ("upstream_connection_id", models.CharField(db_default="", max_length=32)),
                ("connection_method", models.CharField(db_default="", max_length=100)),
                ("owner_id", models.CharField(db_default="", max_length=32)),
                ("created_at", models.DateTimeField(null=True)),
                ("updated_at", models.DateTimeField(null=True)),
                ("raw", models.JSONField(null=True)),
                ("content_hash", models.CharField(db_default="", max_length=64)),
                ("search_text", models.TextField(db_default="")),
                (
                    "sync_run",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="hotlines.syncrun",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("sync_run", "etelecom_id"), name="staged_unique_per_run")
                ],
            },
        ),
        migrations.RunPython(staging_unlogged, staging_logged),
        migrations.AlterField(
            model_name="syncrun",
            name="status",
            field=models.CharField(
                choices=[("queued", "Queued"), ("running", "Running"), ("succeeded", "Succeeded"), ("failed", "Failed")],
                default="running",
                max_length=20,
                verbose_name="status",
            ),
        ),
        migrations.RemoveConstraint(model_name="syncrun", name="syncrun_one_running_per_connection"),
        migrations.AddConstraint(
            model_name="syncrun",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["queued", "running"])),
                fields=("connection",),
                name="syncrun_one_active_per_connection",
            ),
        ),
    ]
