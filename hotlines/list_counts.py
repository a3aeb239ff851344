"""Where the lists' counts come from. Hotlines: the cached per-(removed, network, status,
account) totals when only facets are chosen, else one cached GROUP BY under the filters.
Tenants: one cached GROUP BY (status, account) under the filters."""

from __future__ import annotations

from dataclasses import dataclass

from . import selectors
from .filtersets import FACETS, TENANT_FACETS, HotlineFilterSet, TenantFilterSet
from .selectors.counts import hotline_count_estimate


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
        queryset=lambda: filterset.qs_without(FACETS), key=filterset.state_key(without=FACETS), version=version
    )
    return _tally(groups, filterset.facet_choices())


@dataclass(frozen=True, slots=True)
class ListCounts:
    """The list's count and facet counts, or, while they are still being counted, None for both
    and maybe the planner's estimate of the count (the page says "about …", then swaps the exact
    figures in)."""

    count: int | None
    facets: dict[str, dict[str, int]] | None
    estimate: int | None = None

    @property
    def deferred(self) -> bool:
        return self.count is None


# A count the planner expects to pass this many rows is not tried within the page's budget: it would
# not finish (PostgreSQL counts ~100 searched rows a millisecond: 3,000 in the 30 ms budget) and the
# try would only delay the page. The planner underestimates word searches (6,800 for the bench's
# 66,561 "Bách khoa"), so those that slip under this are stopped by the budget instead.
ESTIMATE_TOO_MANY = 3_000


def hotline_list_counts_quick(*, filterset: HotlineFilterSet, version: str, budget_ms: float) -> ListCounts:
    """The list's exact counts when cached or countable within `budget_ms`; else none yet, with the
    planner's estimate where there is one. The same figures as `hotline_list_counts` when there."""
    counts = _counts_within(filterset, version, budget_ms=0)  # the cache only
    if counts is not None:
        return counts
    estimate = hotline_count_estimate(filterset.qs)
    if estimate is None or estimate <= ESTIMATE_TOO_MANY:
        counts = _counts_within(filterset, version, budget_ms=budget_ms)
        if counts is not None:
            return counts
    # A text search's estimate is not shown: the planner guesses word matches an order of magnitude
    # low (6,800 for 66,561), and "about 6,800" turning into 66,561 misleads more than "counting…".
    shown = estimate if estimate is not None and not filterset.form.cleaned_data.get("q") else None
    return ListCounts(count=None, facets=None, estimate=_rounded(shown) if shown is not None else None)


def _rounded(estimate: int) -> int:
    """Two significant figures ("about 66,000"): a planner's guess says no more."""
    digits = len(str(estimate))
    return round(estimate, 2 - digits) if digits > 2 else estimate


def _counts_within(filterset: HotlineFilterSet, version: str, *, budget_ms: float) -> ListCounts | None:
    simple = filterset.facets_only()
    if simple is not None:
        chosen, removed = simple
        totals = selectors.hotline_totals(version=version, budget_ms=budget_ms)
        return ListCounts(*_tally(totals.groups(removed=removed), chosen)) if totals is not None else None
    groups = selectors.hotline_groups(
        queryset=lambda: filterset.qs_without(FACETS), key=filterset.state_key(without=FACETS), version=version,
        budget_ms=budget_ms,
    )  # fmt: skip
    return ListCounts(*_tally(groups, filterset.facet_choices())) if groups is not None else None


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
