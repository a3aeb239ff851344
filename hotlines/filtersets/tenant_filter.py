"""The hotline list's `tenant` filter: hotlines of the chosen tenants (`?tenant=3&tenant=9`, the
local tenant IDs), lenient like the rest of the list: IDs it cannot use are dropped, not refused."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import QuerySet

from ..models import Tenant
from ..selectors.tenancy import hotlines_of_tenants_q
from ..selectors.tenant_lookup import tenants_by_ids


class TenantIdsField(forms.ModelMultipleChoiceField):
    """Live tenants by ID, read in one query; malformed, unknown and removed IDs are left out and
    kept in `dropped` (the list says so in a note), so one stale ID in a bookmark does not cancel
    the others. A ModelMultipleChoiceField, so that chips name each chosen tenant."""

    widget = forms.MultipleHiddenInput  # never drawn as a select: the picker draws the chosen ones

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        super().__init__(queryset=Tenant.objects.none(), **kwargs)
        self.dropped: list[str] = []
        self.kept: list[str] = []  # the IDs used, for the list's links

    def clean(self, value) -> list[Tenant]:
        values = [value] if isinstance(value, str) else list(value or ())
        read = tenants_by_ids(item for item in values if item != "")
        self.dropped = read.dropped
        self.kept = [str(tenant.pk) for tenant in read.found]
        return read.found


class TenantFilter(django_filters.Filter):
    """Hotlines of any of the chosen tenants (the mapping rule is `tenancy`'s)."""

    field_class = TenantIdsField

    def filter(self, qs: QuerySet, value: list[Tenant]) -> QuerySet:
        return qs.filter(hotlines_of_tenants_q(value)) if value else qs
