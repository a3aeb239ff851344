"""The hotline list's filters and quick search (django-filter); hotlines/chips.py says them in words.

The filterset is lenient: a value it cannot use (an unknown status, a malformed date) is left out
and reported through `problems()`, while the valid filters still apply. Removed hotlines are left
out unless `include_removed` is set, whatever queryset the filterset is given.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from ..choices import HotlineStatus, Network, label_for
from ..models import Connection, Hotline
from ..process_memo import ProcessMemo
from ..selectors import data_version, hotline_values
from ..selectors.tenancy import hotlines_of_tenants_q
from ..selectors.tenant_lookup import tenants_named
from .fields import IdChoiceFilter, InFilter, SafeDateFilter
from .lenient import LenientFilterSet
from .tenant_filter import TenantFilter

# Filters whose values are listed with counts beside them (facets).
FACETS = ("status", "network", "connection")

# The filters' form class per (data version, language): django-filter builds a new class (a
# metaclass run over seventeen new fields) for every filterset, a fortieth of the list's CPU; its
# fields differ only by the choices found in the data and their labels' language. Each form still
# deep-copies the class's fields, as any Django form does. Bounded; cleared when full.
FORM_CLASSES_MAX = 64
_FORM_CLASSES: ProcessMemo[tuple[str, str | None], type] = ProcessMemo(FORM_CLASSES_MAX)


def filter_forms_clear() -> None:
    """Forget the kept form classes (tests: each starts as a new process would)."""
    _FORM_CLASSES.clear()


def _choices(enum, field: str, version: str | None = None) -> list[tuple[str, str]]:
    """The documented values first, then any other value found in the data, shown as received."""
    known = [(value, str(label)) for value, label in enum.choices]
    values = hotline_values(field, version=version)
    return known + [(value, label_for(enum, value)) for value in values if value not in enum.values]


def _method_choices(version: str | None = None) -> list[tuple[str, str]]:
    return [(value, value) for value in hotline_values("connection_method", version=version)]


class HotlineFilterSet(LenientFilterSet):
    """Filters and quick search for the hotline list; multi-value filters repeat in the query string."""

    facets = FACETS

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_q",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}),
    )
    status = InFilter(
        label=_("Status"),
        choices=[],
        widget=forms.CheckboxSelectMultiple,  # set per data version in __init__
    )
    network = InFilter(label=_("Network"), choices=[], widget=forms.CheckboxSelectMultiple)
    free = django_filters.ChoiceFilter(
        label=_("Free of charge"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        empty_label=_("Any"),
        method="filter_free",
    )
    method = InFilter(
        field_name="connection_method",
        label=_("Connection method"),
        choices=[],
        widget=forms.CheckboxSelectMultiple,
    )
    owner = django_filters.CharFilter(
        field_name="owner_id",
        label=_("Owner ID"),
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    connection = IdChoiceFilter(
        # Active accounts only: a deactivated one's hotlines stay in the list (they are data), but
        # it is not offered, and a bookmarked link to it is ignored with a note. Only the name: a
        # choice list has no business decrypting every account's API key.
        label=_("eTelecom account"),
        queryset=Connection.objects.filter(is_active=True).only("pk", "name").order_by("name"),
        distinct=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tenant = TenantFilter(label=_("Tenant"))
    created_after = SafeDateFilter(field_name="created_at", label=_("Created from"), bound="after")
    created_before = SafeDateFilter(field_name="created_at", label=_("Created until"), bound="before")
    updated_after = SafeDateFilter(field_name="updated_at", label=_("Updated from"), bound="after")
    updated_before = SafeDateFilter(field_name="updated_at", label=_("Updated until"), bound="before")
    changed_since = SafeDateFilter(field_name="last_changed_at", label=_("Changed since"), bound="after")
    include_removed = django_filters.ChoiceFilter(
        label=_("Removed hotlines"),
        choices=[("on", _("Included")), ("only", _("Only them"))],
        empty_label=_("Hidden"),
        method="filter_removed",
    )

    class Meta:
        model = Hotline
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None, version: str | None = None) -> None:
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.version = version or data_version()
        # The values found in the data, read once for this data version (not once per field).
        self.filters["status"].extra["choices"] = _choices(HotlineStatus, "status", self.version)
        self.filters["network"].extra["choices"] = _choices(Network, "network", self.version)
        self.filters["method"].extra["choices"] = _method_choices(self.version)

    def get_form_class(self) -> type:
        return _FORM_CLASSES.get_or_make((self.version, translation.get_language()), super().get_form_class)

    # --- filtering -----------------------------------------------------------------------

    @property
    def search_tenants(self) -> list:
        """Tenants whose name or domain holds every word searched (capped; once per request)."""
        if not hasattr(self, "_search_tenants"):
            self._search_tenants = tenants_named(words=self.search.words) if self.search.words else []
        return self._search_tenants

    def filter_q(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        if self.search.is_empty:
            return qs
        condition = self.search.q()
        # A hotline is also found by its tenant's name: the tenants are resolved first (a few,
        # through their own trigram index), then their hotlines by (connection, owner), indexed.
        if tenants := self.search_tenants:
            condition |= hotlines_of_tenants_q(tenants)
        return qs.filter(condition)

    def filter_free(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(is_free_charge=value == "yes") if value in ("yes", "no") else qs

    # --- describing ----------------------------------------------------------------------

    def facets_only(self) -> tuple[dict[str, set[str] | None], set[bool]] | None:
        """(each facet's chosen values, removal states) when no other filter is in force, else
        None: such lists are counted from the per-(removed, network, status, account) totals,
        without a query."""
        active = self.active()
        if set(active) - {*FACETS, "include_removed"}:
            return None
        removed = {"on": {False, True}, "only": {True}}.get(active.get("include_removed"), {False})
        return self.facet_choices(), removed

    def state_value(self, name: str, value):
        """The tenants behind `q` and `tenant` too: a tenant renamed or given another owner
        selects other hotlines, though no hotline changed."""
        if name == "q":
            owners = sorted({(tenant.connection_id, tenant.owner_id) for tenant in self.search_tenants})
            return (self.search.number, self.search.words, owners)
        if name == "tenant":
            return sorted({(tenant.connection_id, tenant.owner_id) for tenant in value})
        return super().state_value(name, value)
