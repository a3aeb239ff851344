"""Users and roles in the Django admin, under the Users page's rules and audited like it."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from ..models import AuditAction
from ..services.audit import audit_record
from ..services.users import (
    PRIVILEGED_FIELDS,
    USER_FIELDS,
    user_delete,
    user_may_delete,
    user_may_edit,
    user_update,
    user_update_validate,
)
from .mixins import DeclaredFiltersOnly

# Users and roles changed in the Django admin are audited like those changed on the Users page.
User = get_user_model()
admin.site.unregister(User)
admin.site.unregister(Group)


class UserAdminForm(UserChangeForm):
    """The admin's user form, checked by the Users page's rules before anything is saved."""

    actor = None  # set per request by UserAdmin.get_form

    def clean(self):
        cleaned = super().clean()
        groups = cleaned.get("groups")
        try:
            user_update_validate(
                user=self.instance,
                actor=self.actor,
                is_active=cleaned.get("is_active"),
                groups=None if groups is None else [group.name for group in groups],
            )
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                field = {"roles": "groups"}.get(field, field)
                self.add_error(field if field in self.fields else None, errors)
        return cleaned


# The fields of a user the admin form may send to the service (m2m and password apart).
ADMIN_USER_FIELDS = ("username", *USER_FIELDS, "is_active", *PRIVILEGED_FIELDS)


@admin.register(User)
class UserAdmin(DeclaredFiltersOnly, DjangoUserAdmin):
    """Users in the Django admin, under the Users page's rules: every change goes through services/users.py.

    Non-superusers see superuser and staff status and individual permissions read-only, cannot
    change, delete or set the password of a superuser, and cannot drop their own Administrator role.
    """

    form = UserAdminForm

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user  # a class made for this request by modelform_factory
        return form

    def get_readonly_fields(self, request, obj=None):
        readonly = [*super().get_readonly_fields(request, obj), "last_login", "date_joined"]
        if not request.user.is_superuser:
            readonly += ["is_superuser", "is_staff", "user_permissions"]
        return readonly

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or user_may_edit(user=obj, actor=request.user))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or user_may_delete(user=obj, actor=request.user))

    def save_model(self, request, obj, form, change):
        if not change:
            # Django's add form: a user name and a password, nothing that grants anything.
            super().save_model(request, obj, form, change)
            audit_record(
                action=AuditAction.USER_CREATED,
                request=request,
                target=f"user {obj.get_username()}",
                details={"user_id": obj.pk, "fields": ["username", "password"], "via": "admin"},
            )
            return
        data = form.cleaned_data
        user_update(
            # The stored user: `obj` already carries the posted values, the service compares with the database.
            user=User.objects.get(pk=obj.pk),
            groups=[group.name for group in data["groups"]] if "groups" in data else None,
            permissions=data.get("user_permissions"),
            actor=request.user,
            request=request,
            via="admin",
            **{field: data[field] for field in ADMIN_USER_FIELDS if field in data},
        )
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        if not change:
            super().save_related(request, form, formsets, change)
            return
        # Groups and permissions were saved by the service in save_model; only inlines (none today) remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def user_change_password(self, request, id, form_url=""):  # noqa: A002 - Django's signature
        # Django refuses it without has_change_permission(user), which asks user_may_edit.
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, id)
            audit_record(
                action=AuditAction.USER_CHANGED,
                request=request,
                target=f"user {user.get_username()}",
                details={"user_id": user.pk, "fields": ["password"], "via": "admin"},
            )
        return response

    def delete_model(self, request, obj):
        user_delete(user=obj, actor=request.user, request=request, via="admin")

    def delete_queryset(self, request, queryset):
        # The changelist's "delete selected": one audited deletion per user, under the same rule.
        for user in queryset:
            user_delete(user=user, actor=request.user, request=request, via="admin")


@admin.register(Group)
class GroupAdmin(DeclaredFiltersOnly, DjangoGroupAdmin):
    """Roles are groups: changing what a role may do is a role change, and is audited."""

    def save_related(self, request, form, formsets, change):
        group = form.instance
        before = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()} if change else set()
        super().save_related(request, form, formsets, change)
        after = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        if before != after or not change:
            audit_record(
                action=AuditAction.ROLES_CHANGED,
                request=request,
                target=f"role {group.name}",
                details={
                    "permissions_added": sorted(after - before),
                    "permissions_removed": sorted(before - after),
                    "via": "admin",
                },
            )

    def delete_model(self, request, obj):
        audit_record(
            action=AuditAction.ROLES_CHANGED,
            request=request,
            target=f"role {obj.name}",
            details={"deleted": True, "via": "admin"},
        )
        super().delete_model(request, obj)
