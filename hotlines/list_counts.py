"""Where the hotline list's count and facet counts come from: the cached per-(removed, network,
status, account) totals when only facets are chosen, else one cached GROUP BY under the filters."""

from __future__ import annotations

from . import selectors
from .filtersets import FACETS, HotlineFilterSet


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
    groups: dict[tuple[str, str, int], int], chosen: dict[str, set[str] | None]
) -> tuple[int, dict[str, dict[str, int]]]:
    """The count (groups within every chosen facet value) and each facet's counts (groups within
    the other facets' chosen values). Keys are strings, as the form's values are."""
    count = 0
    facets: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    for key, n in groups.items():
        values = {name: str(key[FACET_POSITIONS[name]]) for name in FACETS}
        inside = {name: chosen.get(name) is None or values[name] in chosen[name] for name in FACETS}
        for name in FACETS:
            if all(inside[other] for other in FACETS if other != name):
                facets[name][values[name]] = facets[name].get(values[name], 0) + n
        if all(inside.values()):
            count += n
    return count, facets
