"""The hotline list's filters and quick search (django-filter); hotlines/chips.py says them in words.

The filterset is lenient: a value it cannot use (an unknown status, a malformed date) is left out
and reported through `problems()`, while the valid filters still apply. Removed hotlines are left
out unless `include_removed` is set, whatever queryset the filterset is given.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection

import django_filters
from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from ..choices import HotlineStatus, Network, label_for
from ..models import Connection, Hotline
from ..search import Search, search_parse
from ..selectors import data_version, hotline_values
from ..selectors.tenancy import hotlines_of_tenants_q
from ..selectors.tenant_lookup import tenants_named
from .fields import IdChoiceFilter, InFilter, SafeDateFilter
from .tenant_filter import TenantFilter

# Filters whose values are listed with counts beside them (facets).
FACETS = ("status", "network", "connection")


def _choices(enum, field: str, version: str | None = None) -> list[tuple[str, str]]:
    """The documented values first, then any other value found in the data, shown as received."""
    known = [(value, str(label)) for value, label in enum.choices]
    values = hotline_values(field, version=version)
    return known + [(value, label_for(enum, value)) for value in values if value not in enum.values]


def _method_choices(version: str | None = None) -> list[tuple[str, str]]:
    return [(value, value) for value in hotline_values("connection_method", version=version)]


def _names(without: str | Collection[str] | None) -> set[str]:
    if without is None:
        return set()
    return {without} if isinstance(without, str) else set(without)


class HotlineFilterSet(django_filters.FilterSet):
    """Filters and quick search for the hotline list; multi-value filters repeat in the query string."""

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
        # Always bound, so that the defaults (removed hotlines hidden) apply to an empty query too.
        super().__init__(data if data is not None else QueryDict(), queryset, request=request, prefix=prefix)
        self.version = version or data_version()
        # The values found in the data, read once for this data version (not once per field).
        self.filters["status"].extra["choices"] = _choices(HotlineStatus, "status", self.version)
        self.filters["network"].extra["choices"] = _choices(Network, "network", self.version)
        self.filters["method"].extra["choices"] = _method_choices(self.version)

    # --- filtering -----------------------------------------------------------------------

    @property
    def search(self) -> Search:
        if not hasattr(self, "_search"):
            self._search = search_parse(self.data.get("q", "") if self.is_bound else "")
        return self._search

    @property
    def search_tenants(self) -> list:
        """Tenants whose name or domain holds every word searched (capped; once per request)."""
        if not hasattr(self, "_search_tenants"):
            self._search_tenants = tenants_named(words=self.search.words) if self.search.words else []
        return self._search_tenants

    def filter_q(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        if self.search.is_empty:
            return qs
        condition = self.search.q(live_only=self.live_only)
        # A hotline is also found by its tenant's name: the tenants are resolved first (a few,
        # through their own trigram index), then their hotlines by (connection, owner), indexed.
        if tenants := self.search_tenants:
            condition |= hotlines_of_tenants_q(tenants)
        return qs.filter(condition)

    def filter_free(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(is_free_charge=value == "yes") if value in ("yes", "no") else qs

    def filter_removed(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs  # applied in filter_queryset, where its absence matters as much as its presence

    def filter_queryset(self, queryset: QuerySet, *, without: str | Collection[str] | None = None) -> QuerySet:
        """Every valid filter but `without` (used for facet counts); removed rows unless asked."""
        cleaned = self.form.cleaned_data
        skip = _names(without)
        for name, value in cleaned.items():
            if name not in skip:
                queryset = self.filters[name].filter(queryset, value)
        if cleaned.get("include_removed") == "only":
            queryset = queryset.filter(is_removed=True)
        elif self.live_only:
            queryset = queryset.filter(is_removed=False)
        return queryset

    @property
    def live_only(self) -> bool:
        """Removed hotlines are hidden (the default)."""
        return self.form.cleaned_data.get("include_removed") not in ("on", "only")

    def qs_without(self, name: str | Collection[str]) -> QuerySet:
        """The rows under every active filter except `name` (one name or several)."""
        self.errors  # noqa: B018 - validates the form
        return self.filter_queryset(self.queryset.all(), without=name)

    # --- describing ----------------------------------------------------------------------

    def active(self) -> dict:
        """The valid filters in force, by name (empty choices and unticked boxes left out)."""
        self.errors  # noqa: B018 - validates the form
        active = {name: value for name, value in self.form.cleaned_data.items() if not _empty(value)}
        if self.search.is_empty:
            active.pop("q", None)
        return active

    def facet_choices(self) -> dict[str, set[str] | None]:
        """The chosen values of each facet (as strings: account IDs too), None where none is."""
        active = self.active()
        chosen: dict[str, set[str] | None] = {}
        for name in FACETS:
            value = active.get(name)
            chosen[name] = None if value is None else {_key(item) for item in value}
        return chosen

    def facets_only(self) -> tuple[dict[str, set[str] | None], set[bool]] | None:
        """(each facet's chosen values, removal states) when no other filter is in force, else
        None: such lists are counted from the per-(removed, network, status, account) totals,
        without a query."""
        active = self.active()
        if set(active) - {*FACETS, "include_removed"}:
            return None
        removed = {"on": {False, True}, "only": {True}}.get(active.get("include_removed"), {False})
        return self.facet_choices(), removed

    def state_key(self, *, without: str | Collection[str] | None = None) -> str:
        """A short stable key of the valid filters in force (for caching counts)."""
        self.errors  # noqa: B018 - validates the form
        parts = []
        skip = _names(without)
        for name, value in sorted(self.active().items()):
            if name in skip:
                continue
            if name == "q":
                # The tenants it found too: a renamed tenant changes the rows, not the hotlines.
                owners = sorted({(tenant.connection_id, tenant.owner_id) for tenant in self.search_tenants})
                value = (self.search.number, self.search.words, owners)
            elif name == "tenant":
                # What the filter selects by: a tenant that changed owner selects other rows.
                value = sorted({(tenant.connection_id, tenant.owner_id) for tenant in value})
            elif isinstance(value, list | tuple | QuerySet):
                value = sorted(_key(item) for item in value)  # chosen accounts by ID
            parts.append(f"{name}={value!r}")
        return hashlib.sha256("&".join(parts).encode()).hexdigest()[:32]


def _key(item) -> str:
    """A chosen value as the form sends it: a row's ID, or the value itself."""
    return str(getattr(item, "pk", item))


def _empty(value) -> bool:
    if value is None or value is False or value == "":
        return True
    return isinstance(value, list | tuple | QuerySet) and len(value) == 0
