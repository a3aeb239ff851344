"""The tenant list's filters and quick search: status and eTelecom account (with counts), name
or domain (accent- and case-insensitive), removed tenants hidden unless asked."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ..choices import HotlineStatus, label_for
from ..models import Connection, Tenant
from ..selectors import tenant_data_version, tenant_values
from .fields import IdChoiceFilter, InFilter
from .lenient import LenientFilterSet

TENANT_FACETS = ("status", "connection")


class TenantFilterSet(LenientFilterSet):
    """Filters and quick search for the tenant list."""

    facets = TENANT_FACETS
    search_numbers = False  # a tenant has no phone number: digits are part of a name or domain

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_q",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}),
    )
    status = InFilter(label=_("Status"), choices=[], widget=forms.CheckboxSelectMultiple)
    connection = IdChoiceFilter(
        # Active accounts only, by name only (as the hotline list's filter).
        label=_("eTelecom account"),
        queryset=Connection.objects.filter(is_active=True).only("pk", "name").order_by("name"),
        distinct=False,
        widget=forms.CheckboxSelectMultiple,
    )
    include_removed = django_filters.ChoiceFilter(
        label=_("Removed tenants"),
        choices=[("on", _("Included")), ("only", _("Only them"))],
        empty_label=_("Hidden"),
        method="filter_removed",
    )

    class Meta:
        model = Tenant
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None, version: str | None = None) -> None:
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.version = version or tenant_data_version()
        # The documented statuses, then any other one found in the data, shown as received.
        known = [(value, str(label)) for value, label in HotlineStatus.choices]
        found = tenant_values("status", version=self.version)
        others = [(value, label_for(HotlineStatus, value)) for value in found if value not in HotlineStatus.values]
        self.filters["status"].extra["choices"] = known + others

    def filter_q(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(self.search.words_q("search_text")) if not self.search.is_empty else qs
