"""The audit log's filters: by action(s), user, date range and a text search in the target."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import AuditAction, AuditEntry


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
