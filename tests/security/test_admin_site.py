"""The Django admin is one more door: the Users page's rules hold there, and history cannot be rewritten."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

from hotlines.models import (
    AuditAction,
    AuditEntry,
    ExportFormat,
    ExportRecord,
    Hotline,
    HotlineChange,
    SyncRun,
)
from hotlines.services.audit import audit_record
from tests.forms import form_data_from_html

# --- users: a non-superuser Administrator stays one ---------------------------------------------


def _change_form(client, user):
    """The admin's change form of `user`, as the browser would submit it."""
    page = client.get(reverse("admin:auth_user_change", args=[user.pk]))
    assert page.status_code == 200
    return form_data_from_html(page.content.decode(), "#user_form", submitter="_save")


def _privileges(user) -> tuple:
    user.refresh_from_db()
    return user.is_superuser, user.is_staff, sorted(user.user_permissions.values_list("codename", flat=True))


@pytest.mark.parametrize("target", ["administrator", "viewer"])
def test_a_non_superuser_administrator_cannot_grant_superuser_staff_or_permissions(admin_client, role_users, target):
    user = role_users[target]
    before = _privileges(user)
    data = _change_form(admin_client, user)
    assert "is_superuser" not in data.fields and "user_permissions" not in data.fields  # shown read-only
    perm = Permission.objects.get(codename="delete_user")
    # Re-posted by hand, as someone who edits the HTML would.
    data.update({"is_superuser": ["on"], "is_staff": ["on"], "user_permissions": [str(perm.pk)]})
    response = admin_client.post(reverse("admin:auth_user_change", args=[user.pk]), data)
    assert response.status_code == 302
    assert _privileges(user) == before


def test_a_non_superuser_administrator_cannot_touch_a_superuser(admin_client, superuser):
    password = superuser.password
    change = reverse("admin:auth_user_change", args=[superuser.pk])
    response = admin_client.post(change, {"username": "root", "first_name": "Owned", "is_active": "on"})
    assert response.status_code == 403
    page = admin_client.get(change).content.decode()
    assert 'name="_save"' not in page and 'name="first_name"' not in page  # shown read-only, no Save
    password_url = reverse("admin:auth_user_password_change", args=[superuser.pk])
    assert admin_client.get(password_url).status_code == 403
    new = {"password1": "Another-Long-Pass-77", "password2": "Another-Long-Pass-77", "usable_password": "true"}
    assert admin_client.post(password_url, new).status_code == 403
    delete = reverse("admin:auth_user_delete", args=[superuser.pk])
    assert admin_client.get(delete).status_code == 403
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    superuser.refresh_from_db()
    assert (superuser.first_name, superuser.password, superuser.is_active) == ("", password, True)


def test_the_bulk_delete_action_does_not_delete_a_superuser(admin_client, superuser, role_users):
    changelist = reverse("admin:auth_user_changelist")
    viewer = role_users["viewer"]
    data = {"action": "delete_selected", "_selected_action": [superuser.pk, viewer.pk], "post": "yes"}
    response = admin_client.post(changelist, data)
    assert response.status_code in (200, 403)
    assert type(superuser).objects.filter(pk__in=[superuser.pk, viewer.pk]).count() == 2


def test_a_user_deleted_in_the_admin_is_deleted_through_the_service_and_audited(admin_client, role_users):
    viewer = role_users["viewer"]
    data = {"action": "delete_selected", "_selected_action": [viewer.pk], "post": "yes"}
    assert admin_client.post(reverse("admin:auth_user_changelist"), data).status_code == 302
    assert not type(viewer).objects.filter(pk=viewer.pk).exists()
    entry = AuditEntry.objects.get(action=AuditAction.USER_CHANGED)
    assert entry.target == "user viewer" and entry.details["deleted"] and entry.details["via"] == "admin"
    assert entry.actor_username == "administrator"


def test_administrators_cannot_delete_themselves_in_the_admin(admin_client, role_users):
    me = role_users["administrator"]
    assert admin_client.get(reverse("admin:auth_user_delete", args=[me.pk])).status_code == 403


def test_an_administrator_cannot_drop_their_own_administrator_role_in_the_admin(admin_client, role_users):
    me = role_users["administrator"]
    data = _change_form(admin_client, me)
    data.set("groups", str(Group.objects.get(name="Viewer").pk))
    response = admin_client.post(reverse("admin:auth_user_change", args=[me.pk]), data)
    assert response.status_code == 200
    assert "remove your own Administrator role" in response.content.decode()
    assert me.groups.filter(name="Administrator").exists()
    assert not AuditEntry.objects.filter(action=AuditAction.ROLES_CHANGED).exists()


def test_a_superuser_still_grants_privileges_through_the_service_and_it_is_audited(client, superuser, role_users):
    client.force_login(superuser)
    viewer = role_users["viewer"]
    data = _change_form(client, viewer)
    perm = Permission.objects.get(codename="view_auditentry")
    data.set("is_staff", "on").set("user_permissions", str(perm.pk))
    assert client.post(reverse("admin:auth_user_change", args=[viewer.pk]), data).status_code == 302
    assert _privileges(viewer) == (False, True, ["view_auditentry"])
    fields = AuditEntry.objects.get(action=AuditAction.USER_CHANGED)
    assert fields.details == {"user_id": viewer.pk, "fields": ["is_staff"], "via": "admin"}
    perms = AuditEntry.objects.get(action=AuditAction.ROLES_CHANGED)
    assert perms.details["permissions_added"] == ["view_auditentry"] and perms.actor == superuser


# --- history: read-only for everyone, superusers included ------------------------------------------


@pytest.fixture
def history(db, connection):
    """One record of each kind of history."""
    run = SyncRun.objects.create(connection=connection, status="succeeded", fetched=3)
    hotline = Hotline.objects.create(
        connection=connection, etelecom_id="h-1", hotline="19001234", name="Support", owner_id="o-1"
    )
    change = HotlineChange.objects.create(
        hotline=hotline, sync_run=run, kind="changed", field="name", old_value="Help", new_value="Support"
    )
    export = ExportRecord.objects.create(username="root", format=ExportFormat.CSV, row_count=3)
    entry = audit_record(action=AuditAction.SIGN_IN, username="root", target="user root")
    return {"syncrun": run, "hotlinechange": change, "exportrecord": export, "auditentry": entry, "hotline": hotline}


HISTORY = ["syncrun", "hotlinechange", "exportrecord", "auditentry", "hotline"]


@pytest.mark.parametrize("model", HISTORY)
def test_history_cannot_be_added_changed_or_deleted_in_the_admin(admin_user_client, history, model):
    obj = history[model]
    stored = type(obj).objects.filter(pk=obj.pk).values().get()
    url = f"admin:hotlines_{model}"
    if admin.site.is_registered(type(obj)):  # export records are not: nothing to guard there
        assert admin_user_client.get(reverse(f"{url}_changelist")).status_code == 200  # still readable
        assert admin_user_client.get(reverse(f"{url}_add")).status_code == 403
        assert admin_user_client.post(reverse(f"{url}_change", args=[obj.pk]), {"status": "failed"}).status_code == 403
        assert admin_user_client.post(reverse(f"{url}_delete", args=[obj.pk]), {"post": "yes"}).status_code == 403
        changelist = admin_user_client.get(reverse(f"{url}_changelist"))
        assert "delete_selected" not in changelist.content.decode()
        bulk = {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
        admin_user_client.post(reverse(f"{url}_changelist"), bulk)
    assert type(obj).objects.filter(pk=obj.pk).values().get() == stored


def test_a_connection_with_history_is_not_deleted_in_the_admin(admin_user_client, history, connection):
    assert admin_user_client.get(reverse("admin:hotlines_connection_delete", args=[connection.pk])).status_code == 403
    assert SyncRun.objects.filter(pk=history["syncrun"].pk).exists()


def test_sign_in_records_are_read_only_in_the_admin(admin_user_client, client):
    from axes.models import AccessAttempt

    attempt = AccessAttempt.objects.create(
        username="x", ip_address="10.0.0.1", user_agent="t", attempt_time=timezone.now(), failures_since_start=9
    )
    assert admin_user_client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 200
    delete = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert admin_user_client.post(delete, {"post": "yes"}).status_code == 403
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()
