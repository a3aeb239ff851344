"""The audit log page (administrators): who did what and when, filtered by action, user and dates."""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django import forms
from django.conf import settings
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from .. import selectors
from ..dates import WhenColumn
from ..models import AuditAction, AuditEntry


class DateInput(forms.DateInput):
    input_type = "date"


# Kept next to their only view: tables.py and filtersets.py hold the hotline list's.
class AuditEntryFilterSet(django_filters.FilterSet):
    """Filter the audit log by action(s), user, date range and a text search in the target."""

    # distinct=False: one row per entry already; DISTINCT would make PostgreSQL sort every match.
    action = django_filters.MultipleChoiceFilter(
        label=_("Action"), choices=AuditAction.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    user = django_filters.CharFilter(label=_("User"), field_name="actor_username", lookup_expr="iexact")
    at = django_filters.DateFromToRangeFilter(
        label=_("Date"), widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"})
    )
    q = django_filters.CharFilter(label=_("Target contains"), method="search")

    class Meta:
        model = AuditEntry
        fields = ["action", "user", "at", "q"]

    def search(self, queryset, name, value):
        # The target only (users have their own filter): one trigram-indexed column on PostgreSQL.
        return queryset.filter(target__icontains=value)


# How the details' keys read; ids are left out (the target names the object), empty values too.
DETAIL_LABELS = {
    "fields": _("fields"),
    "outcome": _("outcome"),
    "count": _("hotlines"),
    "ms": _("time (ms)"),
    "error": _("error"),
    "reason": _("reason"),
    "added": _("added"),
    "removed": _("removed"),
    "roles": _("roles"),
    "is_active": _("active"),
    "locked_out": _("while locked out"),
    "failures": _("failures"),
    "unlocked": _("lock-outs lifted"),
    "deleted": _("deleted"),
    "rotated": _("re-encrypted"),
    "were_old": _("under an older key"),
    "older_than_days": _("older than (days)"),
    "via": _("via"),
}
HIDDEN_DETAILS = {"connection_id", "user_id", "before"}


def _humanize(value) -> str:
    if isinstance(value, list):
        return ", ".join(str(v).replace("_", " ") for v in value) or "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return str(value)


def _details(value: dict):
    for key, item in value.items():
        if key in HIDDEN_DETAILS or item in ("", None, []):
            continue
        yield DETAIL_LABELS.get(key, key.replace("_", " ")), _humanize(item)


class AuditEntryTable(tables.Table):
    label = _("Audit log")
    at = WhenColumn(verbose_name=_("When"), order_by=("at", "id"))
    actor_username = tables.Column(verbose_name=_("Who"), order_by=("actor_username", "id"))
    action = tables.Column(verbose_name=_("Action"), order_by=("action", "id"))
    target = tables.Column(verbose_name=_("Target"), order_by=("target", "id"))
    details = tables.Column(verbose_name=_("Details"), orderable=False)
    ip_address = tables.Column(verbose_name=_("IP address"), orderable=False, attrs={"td": {"class": "mono"}})

    class Meta:
        model = AuditEntry
        fields = ("at", "actor_username", "action", "target", "details", "ip_address")
        order_by = ("-at",)
        attrs = {"class": "table table-audit"}
        empty_text = _("No audit entry matches these filters.")

    def render_actor_username(self, value: str) -> str:
        return value or "—"

    def render_action(self, value, record: AuditEntry) -> str:
        css = "badge-disabled" if record.action in (AuditAction.SIGN_IN_FAILED, AuditAction.SIGN_IN_LOCKED) else ""
        return format_html('<span class="badge {}">{}</span>', css, record.get_action_display())

    def render_details(self, value: dict) -> str:
        shown = list(_details(value or {}))
        if not shown:
            return "—"
        return format_html('<dl class="details">{}</dl>', format_html_join("", "<dt>{}</dt><dd>{}</dd>", shown))


class AuditLogView(PermissionRequiredMixin, SingleTableMixin, FilterView):
    permission_required = "hotlines.view_auditentry"
    template_name = "hotlines/audit/list.html"
    table_class = AuditEntryTable
    filterset_class = AuditEntryFilterSet
    table_pagination = {"per_page": 50}

    def get_queryset(self):
        return selectors.audit_entry_list()

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "audit_retention_days": settings.AUDIT_RETENTION_DAYS}
