"""The audit log page (administrators): who did what and when, filtered by action, user and dates."""

from __future__ import annotations

from django.conf import settings

from .. import selectors
from ..filtersets.audit import AuditEntryFilterSet
from ..tables.audit import AuditEntryTable
from .manage import FilteredTableView


class AuditLogView(FilteredTableView):
    permission_required = "hotlines.view_auditentry"
    template_name = "hotlines/audit/list.html"
    table_class = AuditEntryTable
    filterset_class = AuditEntryFilterSet

    def get_queryset(self):
        return selectors.audit_entry_list()

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "audit_retention_days": settings.AUDIT_RETENTION_DAYS}
