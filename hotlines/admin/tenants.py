"""Tenants in the admin: the mirror of eTelecom's tenant list and its history, read-only."""

from __future__ import annotations

from django.contrib import admin

from ..models import Tenant, TenantChange
from .mixins import HistoryAdmin


@admin.register(Tenant)
class TenantAdmin(HistoryAdmin):
    """The tenants, read-only (eTelecom is the source of truth). Its changelist has the dashboard
    list's main columns, filters and search: the peer `make bench` measures the Tenants page
    against (minus the accent-free search and the counts cached per sync)."""

    list_display = [
        "name", "domain", "owner_id", "status", "hotline_count", "enabled_count", "connection", "created_at",
    ]  # fmt: skip
    list_filter = ["status", "connection_method", "connection", "is_removed"]
    search_fields = ["name", "domain"]
    readonly_fields = [f.name for f in Tenant._meta.fields]
    list_select_related = ["connection"]
    list_per_page = 50


@admin.register(TenantChange)
class TenantChangeAdmin(HistoryAdmin):
    list_display = ["tenant", "kind", "field", "old_value", "new_value", "changed_at"]
    list_filter = ["kind"]
    raw_id_fields = ["tenant", "sync_run"]
