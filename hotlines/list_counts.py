"""Where the lists' counts come from. Hotlines: the cached per-(removed, network, status,
account) totals when only facets are chosen, else one cached GROUP BY under the filters.
Tenants: one cached GROUP BY (status, account) under the filters."""

from __future__ import annotations

from . import selectors
from .filtersets import FACETS, TENANT_FACETS, HotlineFilterSet, TenantFilterSet


def hotline_list_counts(*, filterset: HotlineFilterSet, version: str) -> tuple[int, dict[str, dict[str, int]]]:
    """How many rows the list holds, and the facet counts (per status, network and eTelecom
    account, each under the other filters). Filtered by those and removal only, all come from the
    cached totals; otherwise from one GROUP BY (network, status, account), cached per data version."""
    simple = filterset.facets_only()
    if simple is not None:
        chosen, removed = simple
        groups = selectors.hotline_totals(version=version).groups(removed=removed)
        return _tally(groups, chosen)
    # Any other filter or a search: one GROUP BY under every filter but the facets gives the count
    # and all three facets at once (a scan, not four), cached per data version.
    groups = selectors.hotline_groups(
        queryset=filterset.qs_without(FACETS), key=filterset.state_key(without=FACETS), version=version
    )
    return _tally(groups, filterset.facet_choices())


# Where each facet's value sits in a group's key (network, status, connection_id).
FACET_POSITIONS = {"network": 0, "status": 1, "connection": 2}


def _tally(
    groups: dict[tuple, int], chosen: dict[str, set[str] | None], positions: dict[str, int] = FACET_POSITIONS
) -> tuple[int, dict[str, dict[str, int]]]:
    """The count (groups within every chosen facet value) and each facet's counts (groups within
    the other facets' chosen values), each facet at its `positions` in a group's key. Keys are
    strings, as the form's values are."""
    count = 0
    names = tuple(positions)
    facets: dict[str, dict[str, int]] = {name: {} for name in names}
    for key, n in groups.items():
        values = {name: str(key[positions[name]]) for name in names}
        inside = {name: chosen.get(name) is None or values[name] in chosen[name] for name in names}
        for name in names:
            if all(inside[other] for other in names if other != name):
                facets[name][values[name]] = facets[name].get(values[name], 0) + n
        if all(inside.values()):
            count += n
    return count, facets


# Where each tenant facet's value sits in a group's key (status, connection_id).
TENANT_FACET_POSITIONS = {"status": 0, "connection": 1}


def tenant_list_counts(*, filterset: TenantFilterSet, version: str) -> tuple[int, dict[str, dict[str, int]]]:
    """How many tenants the list holds and its facet counts (per status and eTelecom account,
    each under the other filters): one GROUP BY under every filter but the facets, cached per
    tenant data version and filter state (tenants are few: no totals table is needed)."""
    groups = selectors.tenant_groups(
        queryset=filterset.qs_without(TENANT_FACETS), key=filterset.state_key(without=TENANT_FACETS), version=version
    )
    return _tally(groups, filterset.facet_choices(), TENANT_FACET_POSITIONS)
