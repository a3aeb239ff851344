"""The records of what happened, read-only in the admin: the mirror, syncs, changes, audit, sign-ins."""

from __future__ import annotations

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin

from ..models import AuditEntry, Hotline, HotlineChange, SyncRun
from .mixins import HistoryAdmin


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
