"""The Django admin: one more door to the same services and rules as the dashboard; history is read-only."""

from __future__ import annotations

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.admin.widgets import url_params_from_lookup_dict
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.views.decorators.debug import sensitive_post_parameters

from .forms import ConnectionAdminForm
from .models import AuditAction, AuditEntry, Connection, Hotline, HotlineChange, SyncRun
from .services.audit import audit_record
from .services.connections.writes import EDITABLE_FIELDS, connection_create, connection_set_active, connection_update
from .services.users import (
    PRIVILEGED_FIELDS,
    USER_FIELDS,
    user_delete,
    user_may_delete,
    user_may_edit,
    user_update,
    user_update_validate,
)

ADMIN_SEARCH_MAX = 200  # characters of a changelist search; longer ones are cut (SQLite refuses 50,000)


class DeclaredFiltersOnly:
    """A changelist filtered by its declared list filters only, with a bounded search.

    Django's admin lets any lookup on a local field through the query string (`raw__contains`,
    `name__regex=(((`, `id__in=<huge>`), and some fail in the database: a 500. Here a parameter
    is allowed only when a declared filter reads it; any other is the admin's own 400."""

    def lookup_allowed(self, lookup, value, request) -> bool:
        if "\x00" in str(value):  # PostgreSQL refuses NUL in text: refused here, not by the database
            return False
        return lookup in _filter_parameters(self, request) or _raw_id_popup_lookup(self.model, lookup, value)

    def get_search_results(self, request, queryset, search_term):
        search_term = search_term.replace("\x00", "")
        if len(search_term) > ADMIN_SEARCH_MAX:
            search_term = search_term[:ADMIN_SEARCH_MAX]
            messages.warning(
                request, gettext("Search cut to the first %(count)s characters.") % {"count": ADMIN_SEARCH_MAX}
            )
        return super().get_search_results(request, queryset, search_term)


def _filter_parameters(model_admin: admin.ModelAdmin, request) -> set[str]:
    """The query parameters the changelist's declared filters read (Django's built-in ones)."""
    names: set[str] = set()
    if model_admin.date_hierarchy:
        names |= {f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")}
    for item in model_admin.get_list_filter(request):
        if isinstance(item, type) and issubclass(item, admin.SimpleListFilter):
            names.add(item.parameter_name)
            continue
        path = item[0] if isinstance(item, list | tuple) else item
        field = get_fields_from_path(model_admin.model, path)[-1]
        names.add(f"{path}__isnull")
        if field.remote_field:  # RelatedFieldListFilter
            names.add(f"{path}__{field.target_field.name}__exact")
        elif isinstance(field, models.DateField):  # DateFieldListFilter (DateTimeField included)
            names |= {f"{path}__gte", f"{path}__lt"}
        else:  # choices and booleans (`__exact`), all values (the bare path)
            names |= {path, f"{path}__exact"}
    return names


def _raw_id_popup_lookup(model, lookup: str, value) -> bool:
    """What Django allows for a raw-ID popup limited by a foreign key's `limit_choices_to`."""
    for fk_lookup in model._meta.related_fkey_lookups:
        fk_lookup = fk_lookup() if callable(fk_lookup) else fk_lookup
        if (lookup, value) in url_params_from_lookup_dict(fk_lookup).items():
            return True
    return False


class HistoryAdmin(DeclaredFiltersOnly, admin.ModelAdmin):
    """Records of what happened (syncs, hotline changes, audit entries, sign-in attempts): to read, never
    to add, edit or delete, in the admin as on the dashboard. Without the delete permission the
    changelist offers no "delete selected" action either."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Connection)
class ConnectionAdmin(DeclaredFiltersOnly, admin.ModelAdmin):
    """Connections in the Django admin: the key is write-only and every save goes through the service."""

    form = ConnectionAdminForm
    list_display = ["name", "base_url", "masked_api_key", "page_size", "timeout", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "base_url"]

    @method_decorator(sensitive_post_parameters("api_key"))
    def changeform_view(self, request, *args, **kwargs):
        return super().changeform_view(request, *args, **kwargs)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        fields = {field: data[field] for field in EDITABLE_FIELDS}
        if change:
            connection_update(connection=obj, api_key=data["api_key"], request=request, **fields)
            connection_set_active(connection=obj, is_active=data["is_active"], request=request)
            obj.refresh_from_db()
        else:
            created = connection_create(api_key=data["api_key"], request=request, **fields)
            connection_set_active(connection=created, is_active=data["is_active"], request=request)
            obj.pk = created.pk
            obj.refresh_from_db()

    def has_delete_permission(self, request, obj=None):
        # A connection owns the mirror and its history; it is deactivated (audited), never deleted.
        return False


@admin.register(Hotline)
class HotlineAdmin(HistoryAdmin):
    """The mirror, read-only. Its changelist has the dashboard list's columns, filters and search
    (the peer `make bench` measures the list against), minus what the admin cannot express (the
    number normalisation, accent-free search, facet counts cached per sync)."""

    list_display = ["hotline", "name", "network", "status", "is_free_charge", "owner_id", "created_at", "updated_at"]
    list_filter = [
        "status",
        "network",
        "is_free_charge",
        "connection_method",
        "connection",
        "owner_id",
        ("created_at", admin.DateFieldListFilter),
        ("updated_at", admin.DateFieldListFilter),
        ("last_changed_at", admin.DateFieldListFilter),
        "is_removed",
    ]
    search_fields = ["hotline", "name", "description"]
    readonly_fields = [f.name for f in Hotline._meta.fields]
    list_per_page = 50  # synced data: eTelecom is the source of truth


@admin.register(SyncRun)
class SyncRunAdmin(HistoryAdmin):
    list_display = [
        "pk",
        "connection",
        "trigger",
        "status",
        "started_at",
        "finished_at",
        "fetched",
        "created",
        "updated",
        "removed",
    ]
    list_filter = ["status", "trigger", "connection"]
    readonly_fields = [f.name for f in SyncRun._meta.fields]


@admin.register(HotlineChange)
class HotlineChangeAdmin(HistoryAdmin):
    list_display = ["hotline", "kind", "field", "old_value", "new_value", "changed_at"]
    list_filter = ["kind"]
    raw_id_fields = ["hotline", "sync_run"]


@admin.register(AuditEntry)
class AuditEntryAdmin(HistoryAdmin):
    """The audit log is read-only, for everyone: entries are only added by the code and purged by age."""

    list_display = ["at", "actor_username", "action", "target", "ip_address"]
    list_filter = ["action"]
    search_fields = ["actor_username", "target"]


# django-axes' sign-in records are history too; a lock-out is lifted on the Users page (audited).
for model, model_admin in (
    (AccessAttempt, AccessAttemptAdmin),
    (AccessLog, AccessLogAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
):
    if admin.site.is_registered(model):  # unless AXES_ENABLE_ADMIN is off
        admin.site.unregister(model)
        # No actions: axes' own one deletes expired attempts.
        admin.site.register(model, type(model_admin.__name__, (HistoryAdmin, model_admin), {"actions": []}))


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
