"""The Users page and role changes: who may do what to whom, and that every change is audited."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.db import connection as default_db
from django.db.migrations.loader import MigrationLoader
from django.test import Client
from django.urls import reverse

from hotlines.models import AuditAction, AuditEntry

PASSWORD = "Correct-Horse-42-battery"


def _create(admin_client, **overrides):
    data = {"username": "nga", "first_name": "Nga", "last_name": "Trần", "email": "nga@example.com", "role": "Operator"}
    data.update({"password1": PASSWORD, "password2": PASSWORD, **overrides})
    return admin_client.post(reverse("hotlines:user-add"), data)


def _edit(admin_client, user, **overrides):
    data = {"first_name": user.first_name, "last_name": user.last_name, "email": user.email, "is_active": "on"}
    data.update(overrides)
    return admin_client.post(reverse("hotlines:user-edit", args=[user.pk]), data)


def test_an_administrator_adds_a_user_with_a_role(admin_client, django_user_model):
    assert _create(admin_client).status_code == 302
    user = django_user_model.objects.get(username="nga")
    assert list(user.groups.values_list("name", flat=True)) == ["Operator"] and not user.is_staff
    assert user.has_perm("hotlines.run_sync") and not user.has_perm("hotlines.view_connection")
    assert user.check_password(PASSWORD)
    created = AuditEntry.objects.get(action=AuditAction.USER_CREATED)
    roles = AuditEntry.objects.get(action=AuditAction.ROLES_CHANGED)
    assert created.actor_username == "administrator" and created.target == "user nga"
    assert roles.details["added"] == ["Operator"] and roles.details["removed"] == []
    assert PASSWORD not in str(created.details)


def test_a_weak_password_or_a_taken_name_is_refused(admin_client, django_user_model):
    response = _create(admin_client, password1="123", password2="123")
    assert response.status_code == 200 and response.context["form"].errors["password1"]
    response = _create(admin_client, username="Viewer")
    assert response.context["form"].errors["username"]
    assert not django_user_model.objects.filter(username="nga").exists()


def test_changing_a_role_is_audited_and_administrator_brings_the_admin(admin_client, role_users):
    viewer = role_users["viewer"]
    assert _edit(admin_client, viewer, role="Administrator").status_code == 302
    viewer.refresh_from_db()
    assert list(viewer.groups.values_list("name", flat=True)) == ["Administrator"] and viewer.is_staff
    entry = AuditEntry.objects.get(action=AuditAction.ROLES_CHANGED)
    assert entry.details["added"] == ["Administrator"] and entry.details["removed"] == ["Viewer"]
    _edit(admin_client, viewer, role="Viewer")
    viewer.refresh_from_db()
    assert not viewer.is_staff


def test_a_deactivated_user_cannot_sign_in(admin_client, role_users):
    viewer = role_users["viewer"]
    url = reverse("hotlines:user-active", args=[viewer.pk])
    assert admin_client.post(url, {"active": "0"}).status_code == 302
    viewer.refresh_from_db()
    assert not viewer.is_active
    assert AuditEntry.objects.get(action=AuditAction.USER_CHANGED).details["fields"] == ["is_active"]
    other = Client()
    response = other.post("/accounts/login/", {"username": "viewer", "password": "pw-viewer-Long-enough-1"})
    assert response.status_code == 200 and "_auth_user_id" not in other.session


def test_administrators_cannot_lock_themselves_out(admin_client, role_users):
    me = role_users["administrator"]
    response = admin_client.post(reverse("hotlines:user-active", args=[me.pk]), {"active": "0"}, follow=True)
    assert "You cannot deactivate yourself." in response.content.decode()
    response = _edit(admin_client, me, role="Viewer")
    assert response.status_code == 200 and "remove your own Administrator role" in response.content.decode()
    me.refresh_from_db()
    assert me.is_active and me.groups.filter(name="Administrator").exists()


def test_only_a_superuser_changes_a_superuser(admin_client, superuser):
    response = _edit(admin_client, superuser, password1="Another-Long-Pass-77", password2="Another-Long-Pass-77")
    assert response.status_code == 403
    superuser.refresh_from_db()
    assert superuser.check_password("pw-root")


def test_a_password_change_is_audited_as_a_field_never_a_value(admin_client, role_users):
    viewer = role_users["viewer"]
    assert _edit(admin_client, viewer, role="Viewer", password1=PASSWORD, password2=PASSWORD).status_code == 302
    viewer.refresh_from_db()
    assert viewer.check_password(PASSWORD)
    entry = AuditEntry.objects.get(action=AuditAction.USER_CHANGED)
    assert entry.details["fields"] == ["password"] and PASSWORD not in str(entry.details)


def test_the_users_page_lists_roles_and_filters(admin_client, role_users):
    response = admin_client.get(reverse("hotlines:user-list"), {"role": "Operator"})
    assert [row.record.username for row in response.context["table"].paginated_rows] == ["operator"]
    html = admin_client.get(reverse("hotlines:user-list")).content.decode()
    assert "Administrator" in html and "Exporter" in html


def test_add_a_user_preselects_viewer_and_keeps_no_role_one_click_away(admin_client, django_user_model):
    page = admin_client.get(reverse("hotlines:user-add"))
    form = page.context["form"]
    assert form["role"].value() == "Viewer"
    html = page.content.decode()
    viewer = html[
        html.rindex("<input", 0, html.index('value="Viewer"')) : html.index(">", html.index('value="Viewer"'))
    ]
    assert "checked" in viewer
    no_role = html[html.rindex("<input", 0, html.index('name="role" value=""')) :]
    assert "checked" not in no_role[: no_role.index(">")]
    # Submitted as the browser sends it, the role untouched: the new user can browse.
    data = {"username": "lan", "first_name": "", "last_name": "", "email": "", "role": form["role"].value()}
    assert _create(admin_client, **data).status_code == 302
    assert list(django_user_model.objects.get(username="lan").groups.values_list("name", flat=True)) == ["Viewer"]
    # "No role" is still a choice that sticks.
    assert _create(admin_client, username="kho", role="").status_code == 302
    assert not django_user_model.objects.get(username="kho").groups.exists()


def test_the_user_filters_say_what_their_empty_choice_does(admin_client, role_users):
    page = admin_client.get(reverse("hotlines:user-list"))
    html = page.content.decode()
    assert "---------" not in html
    assert '<option value="" selected>Any role</option>' in html
    assert '<option value="" selected>Any state</option>' in html
    assert '<option value="false">Inactive</option>' in html
    role_users["viewer"].is_active = False
    role_users["viewer"].save()
    response = admin_client.get(reverse("hotlines:user-list"), {"role": "", "is_active": "false"})
    assert [row.record.username for row in response.context["table"].paginated_rows] == ["viewer"]
    response = admin_client.get(reverse("hotlines:user-list"), {"role": "Viewer", "is_active": ""})
    assert [row.record.username for row in response.context["table"].paginated_rows] == ["viewer"]


def test_role_changes_in_the_django_admin_are_audited(client, superuser, role_users):
    client.force_login(superuser)
    viewer = role_users["viewer"]
    url = reverse("admin:auth_user_change", args=[viewer.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = {
        "username": "viewer",
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "groups": [Group.objects.get(name="Exporter").pk],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = AuditEntry.objects.get(action=AuditAction.ROLES_CHANGED)
    assert entry.details["added"] == ["Exporter"] and entry.details["removed"] == ["Viewer"]
    assert entry.actor == superuser and entry.details["via"] == "admin"


def test_changing_what_a_role_may_do_in_the_django_admin_is_audited(client, superuser):
    client.force_login(superuser)
    viewer = Group.objects.get(name="Viewer")
    perms = list(viewer.permissions.values_list("pk", flat=True))
    export = Group.objects.get(name="Exporter").permissions.exclude(pk__in=perms).first()
    url = reverse("admin:auth_group_change", args=[viewer.pk])
    assert client.post(url, {"name": "Viewer", "permissions": [*perms, export.pk]}).status_code == 302
    entry = AuditEntry.objects.get(action=AuditAction.ROLES_CHANGED)
    assert entry.target == "role Viewer" and entry.details["permissions_added"] == ["hotlines.export_hotline"]


def test_the_roles_migration_is_reversible(db):
    name = "0003_roles_and_audit_actions"
    migration = importlib.import_module(f"hotlines.migrations.{name}")
    # The historical models, as the migration sees them when it runs.
    historical = MigrationLoader(default_db).project_state(("hotlines", name)).apps
    editor = SimpleNamespace(connection=default_db)
    migration.delete_roles(historical, editor)
    assert not Group.objects.filter(name__in=["Viewer", "Exporter", "Operator", "Administrator"]).exists()
    migration.create_roles(historical, editor)
    assert Group.objects.get(name="Operator").permissions.count() == 4
    assert Group.objects.get(name="Administrator").permissions.filter(codename="change_connection").exists()


@pytest.mark.parametrize("name", ["no_role", "viewer", "exporter", "operator"])
def test_no_role_below_administrator_reaches_the_admin_pages(client, role_users, name):
    client.force_login(role_users[name])
    for url in ("hotlines:connection-list", "hotlines:user-list", "hotlines:audit-log", "hotlines:connection-add"):
        assert client.get(reverse(url)).status_code == 403


def test_the_edit_page_opens_with_the_users_values_and_a_save_keeps_them(admin_client, role_users):
    from tests.forms import form_data_from_html

    viewer = role_users["viewer"]
    viewer.first_name, viewer.email = "Lan", "lan@example.com"
    viewer.save()
    viewer.groups.add(Group.objects.get(name="Exporter"))  # two roles: the page shows the highest
    url = reverse("hotlines:user-edit", args=[viewer.pk])
    data = form_data_from_html(admin_client.get(url).content.decode(), "form.form-card")
    assert (data["first_name"], data["email"], data["role"], data["is_active"]) == (
        ["Lan"],
        ["lan@example.com"],
        ["Exporter"],
        ["on"],
    )
    data.set("last_name", "Phạm")
    assert admin_client.post(url, data).status_code == 302
    viewer.refresh_from_db()
    assert (viewer.first_name, viewer.last_name, viewer.email, viewer.is_active) == (
        "Lan",
        "Phạm",
        "lan@example.com",
        True,
    )
    assert sorted(viewer.groups.values_list("name", flat=True)) == ["Exporter", "Viewer"]
    assert not AuditEntry.objects.filter(action=AuditAction.ROLES_CHANGED).exists()
