"""A saved view's filter evaluated in Python on one hotline's state, agreeing with the list.

The list decides a view's rows with `HotlineFilterSet` in SQL. Here the same filterset reads and
validates the view's query (so a value the list ignores is ignored here too), and each valid
filter becomes a test on a hotline's fields, so that membership before and after a sync is known
for the changed hotlines alone, for any number of views, without a query per view or per hotline.
tests/watches/test_matching.py compares both on many random views and rows.

Filters on dates (created, updated, changed since) read fields whose value before the sync no
change records: for those, membership after the sync is exact, before it only known to be False
(when another filter already fails) or unknown (None). `unknown_before` names them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django import forms
from django.http import QueryDict
from django.utils import timezone

from ...filtersets import HotlineFilterSet
from ...filtersets.fields import SafeDateFilter
from ...ids import id_parse
from ...listing import query_clean
from ...models import Connection, Hotline, Tenant
from ...search import _number_needle
from ...selectors import data_version
from ...selectors.tenant_lookup import tenants_by_ids, tenants_named

Test = Callable[[dict], bool]
# Filters whose fields change with every change a sync makes, without the old value recorded.
DATED = ("created_after", "created_before", "updated_after", "updated_before", "changed_since")


@dataclass(frozen=True, slots=True)
class ViewFilter:
    """A view's valid filters as tests on a hotline's state (a dict of `changed.STATE_FIELDS`)."""

    key: tuple  # views with the same key select the same rows (evaluated once)
    # (key, test) pairs: equal keys test the same thing, so views sharing a filter share its result.
    exact: tuple[tuple[tuple, Test], ...] = ()
    dated: tuple[tuple[tuple, Test], ...] = ()
    unknown_before: tuple[str, ...] = field(default=())

    def matches(self, state: dict | None) -> bool:
        """The hotline (as it is now) is in the view."""
        if state is None:
            return False
        return all(test(state) for _key, test in self.exact) and all(test(state) for _key, test in self.dated)

    def matched_before(self, state: dict | None) -> bool | None:
        """The hotline, as it was before the sync, was in the view: True, False, or None when a
        dated filter decides and its old value is unknown."""
        if state is None or not all(test(state) for _key, test in self.exact):
            return False
        return None if self.dated else True


class _PreloadedConnections(forms.Field):
    """The `connection` filter's field, validated against active accounts read once for all views:
    like IdChoiceField, one value that is not an active account's ID invalidates the filter."""

    widget = forms.MultipleHiddenInput

    def __init__(self, active: set[str]) -> None:
        super().__init__(required=False)
        self.active = active

    def clean(self, value) -> list[int]:
        values = [value] if isinstance(value, str) else list(value or ())
        if not all(str(item) in self.active for item in values):
            raise forms.ValidationError("invalid choice", code="invalid_choice")
        return [int(item) for item in values]


class _PreloadedTenants(forms.Field):
    """The `tenant` filter's field, read from live tenants looked up once for all views: like
    TenantIdsField, unknown, removed and malformed IDs are dropped one by one."""

    widget = forms.MultipleHiddenInput

    def __init__(self, live: dict[str, Tenant]) -> None:
        super().__init__(required=False)
        self.live = live

    def clean(self, value) -> list[Tenant]:
        values = [value] if isinstance(value, str) else list(value or ())
        found: dict[int, Tenant] = {}
        for item in dict.fromkeys(str(item) for item in values if item != ""):
            tenant = self.live.get(item)
            if tenant is not None:
                found.setdefault(tenant.pk, tenant)
        return list(found.values())


def _owners(tenants: Iterable[Tenant]) -> frozenset[tuple[int, str]]:
    """(connection, owner) of the tenants that own hotlines (tenancy's rule)."""
    return frozenset((t.connection_id, t.owner_id) for t in tenants if t.owner_id and not t.is_removed)


def view_filters(queries: dict[int, str]) -> dict[int, ViewFilter]:
    """Each view's filter ({view ID: its query string}), read in a few queries whatever the
    number of views: the data version, the active accounts, the tenants named by ID, and the
    tenants a quick search names (once per distinct search)."""
    parsed = {pk: query_clean(QueryDict(query or "")) for pk, query in queries.items()}
    version = data_version()
    active: set[str] = set()
    if any(query.getlist("connection") for query in parsed.values()):
        active = {str(pk) for pk in Connection.objects.filter(is_active=True).values_list("pk", flat=True)}
    tenant_values = [value for query in parsed.values() for value in query.getlist("tenant") if value != ""]
    live = {}
    if tenant_values:
        found = {tenant.pk: tenant for tenant in tenants_by_ids(tenant_values, remember=False).found}
        live = {value: found[pk] for value in tenant_values if (pk := id_parse(value)) in found}
    named: dict[tuple[str, ...], frozenset] = {}
    result = {}
    for pk, query in parsed.items():
        filterset = HotlineFilterSet(query, queryset=Hotline.objects.none(), version=version)
        form = filterset.form
        form.fields["connection"] = _PreloadedConnections(active)
        form.fields["tenant"] = _PreloadedTenants(live)
        form.is_valid()
        search = filterset.search
        if search.words and search.words not in named:
            named[search.words] = _owners(tenants_named(words=search.words, remember=False))
        result[pk] = _compile(form.cleaned_data, search, named.get(search.words, frozenset()), filterset)
    return result


def _compile(cleaned: dict, search, search_owners: frozenset, filterset: HotlineFilterSet) -> ViewFilter:
    exact: list[tuple[tuple, Test]] = []
    dated: list[tuple[tuple, Test]] = []
    for name, value in cleaned.items():
        if name == "q":
            if value in (None, "") or search.is_empty:
                continue
            exact.append(_search_test(search, search_owners))
        elif name in ("status", "network", "method"):
            if value:
                column = filterset.filters[name].field_name
                exact.append(_in_test(column, frozenset(value)))
        elif name == "free":
            if value in ("yes", "no"):
                wanted = value == "yes"
                exact.append((("free", wanted), lambda s, w=wanted: s["is_free_charge"] is w))
        elif name == "owner":
            if value not in (None, ""):
                exact.append((("owner", value), lambda s, v=value: s["owner_id"] == v))
        elif name == "connection":
            if value:
                exact.append(_in_test("connection_id", frozenset(value)))
        elif name == "tenant":
            if value:
                owners = _owners(value)
                exact.append((("tenant", owners), lambda s, o=owners: (s["connection_id"], s["owner_id"]) in o))
        elif name in DATED and value:
            dated.append(_date_test(filterset.filters[name], value))
    include = cleaned.get("include_removed")
    if include == "only":
        exact.append((("removed", True), lambda s: s["is_removed"] is True))
    elif include not in ("on", "only"):
        exact.append((("removed", False), lambda s: not s["is_removed"]))
    exact.sort(key=lambda pair: repr(pair[0]))
    dated.sort(key=lambda pair: repr(pair[0]))
    return ViewFilter(
        key=(tuple(k for k, _t in exact), tuple(k for k, _t in dated)),
        exact=tuple(exact),
        dated=tuple(dated),
        unknown_before=tuple(sorted({k[0] for k, _t in dated})),
    )


def _in_test(column: str, values: frozenset) -> tuple[tuple, Test]:
    return (column, values), lambda s: s[column] in values


def _search_test(search, owners: frozenset) -> tuple[tuple, Test]:
    """The quick search as `search.Search.q` and the filterset's `filter_q` say it."""
    if search.number:
        needle = _number_needle(search.number)
        return ("number", needle), lambda s: needle in s["hotline"]
    parts = []
    for word in search.words:
        digits = word.replace("-", "").replace(".", "")
        parts.append((word, digits if digits.isdigit() else None))
    parts_t = tuple(parts)

    def test(s: dict) -> bool:
        text, number = s["search_text"], s["hotline"]
        for word, digits in parts_t:
            if word not in text and (digits is None or digits not in number):
                return bool(owners) and (s["connection_id"], s["owner_id"]) in owners
        return True

    return ("words", parts_t, owners), test


def _date_test(date_filter: SafeDateFilter, value) -> tuple[tuple, Test]:
    column = date_filter.field_name
    start = timezone.make_aware(datetime.combine(value, time.min))
    if date_filter.bound == "after":
        return (column, ">=", start), lambda s: s[column] is not None and s[column] >= start
    end = start + timedelta(days=1)
    return (column, "<", end), lambda s: s[column] is not None and s[column] < end
