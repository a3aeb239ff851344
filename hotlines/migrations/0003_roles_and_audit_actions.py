"""Roles as groups (Viewer, Exporter, Operator, Administrator) and two more audit actions.

The role table is frozen here on purpose: a migration must mean the same thing forever.
`hotlines.services.users.roles_ensure` (run after every migrate) keeps the live groups
complete when later releases add permissions.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations, models

VIEWER = ["hotlines.view_hotline"]
EXPORTER = [*VIEWER, "hotlines.export_hotline"]
OPERATOR = [*EXPORTER, "hotlines.run_sync", "hotlines.view_syncrun"]
ROLES = {"Viewer": VIEWER, "Exporter": EXPORTER, "Operator": OPERATOR}
# Administrator: every permission of these apps (connections, users, roles, audit log, ...).
ADMINISTRATOR_APPS = ["hotlines", "auth"]


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate); create them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    db = schema_editor.connection.alias
    for name, perms in ROLES.items():
        group, _ = Group.objects.using(db).get_or_create(name=name)
        for perm in perms:
            app_label, codename = perm.split(".")
            group.permissions.add(
                Permission.objects.using(db).get(content_type__app_label=app_label, codename=codename)
            )
    admin, _ = Group.objects.using(db).get_or_create(name="Administrator")
    admin.permissions.add(
        *Permission.objects.using(db).filter(content_type__app_label__in=ADMINISTRATOR_APPS)
    )


def delete_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(
        name__in=[*ROLES, "Administrator"]
    ).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('hotlines', '0002_preferences_exports_audit'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditentry',
            name='action',
            field=models.CharField(choices=[('sign_in', 'Signed in'), ('sign_in_failed', 'Sign-in failed'), ('sign_in_locked', 'Locked out after failed sign-ins'), ('sign_out', 'Signed out'), ('export', 'Exported hotlines'), ('sync_requested', 'Requested a sync'), ('connection_created', 'Added a connection'), ('connection_changed', 'Changed a connection'), ('connection_tested', 'Tested a connection'), ('keys_rotated', 'Re-encrypted the API keys'), ('user_created', 'Added a user'), ('user_changed', 'Changed a user'), ('roles_changed', "Changed a user's roles"), ('audit_purged', 'Purged old audit entries')], max_length=40, verbose_name='action'),
        ),
        migrations.RunPython(create_roles, delete_roles),
    ]
