"""The hotline list page, built once per request: the query read (listing.py), the rows counted
(list_counts.py), the table fitted to the person and the page, the filters said in words
(chips.py). The view only renders what `hotline_list_page` returns (NetBox's ObjectListView.get)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, QueryDict

from . import selectors
from .chips import Chip, filter_chips
from .filtersets import FACETS, HotlineFilterSet
from .filtersets.lenient import LenientFilterSet
from .list_counts import ListCounts, hotline_list_counts, hotline_list_counts_quick
from .listing import PER_PAGE_CHOICES, TENANT_SEARCH_PARAM, list_request, paged_table, paged_table_uncounted
from .models import SavedView, UserPreference
from .tables import HotlineTable, columns_all
from .tenant_picker import TenantPicker, tenant_picker

# How long a list page may count a figure nobody has asked for yet (a new search) before it shows its
# rows with the count marked as pending, and lets the counts' own request (htmx) bring it. Counts
# in the cache, the totals warmed after each sync included, cost nothing.
COUNT_BUDGET_MS = 30
# `?_count=exact`: the page counts whatever it takes (the pending count's link when script is off).
COUNT_PARAM = "_count"


def count_budget_ms() -> float:
    """The page's counting budget (the setting `LIST_COUNT_BUDGET_MS` when given)."""
    return getattr(settings, "LIST_COUNT_BUDGET_MS", COUNT_BUDGET_MS)


@dataclass(frozen=True, slots=True)
class HotlineListPage:
    """Everything the list page shows for one request."""

    filterset: HotlineFilterSet
    table: HotlineTable
    count: int | None  # None while it is being counted (see `estimate`)
    facets: dict[str, dict[str, int]] | None  # per facet: each value's count under the other filters
    page: int
    per_page: int
    sort: str
    columns: list[str]
    notes: list[str]  # what in the query was changed or ignored, in words
    chips: list[Chip]
    query: QueryDict  # the canonical query: what the address bar and the links carry
    tenant_picker: TenantPicker
    estimate: int | None = None  # the planner's guess while the count is pending (PostgreSQL)

    def context(self) -> dict:
        """The template's context (the names the list's templates have always used)."""
        filterset = self.filterset
        return {
            "filter": filterset,
            "table": self.table,
            "list_query": self.query,
            "facet_groups": [
                facet_group(filterset, name, self.facets[name] if self.facets is not None else None)
                for name in FACETS
                # The account filter only when there is a choice (several active accounts).
                if name != "connection" or selectors.connection_count() > 1
            ],
            "show_methods": bool(filterset.filters["method"].extra["choices"]),
            "notes": self.notes,
            "chips": self.chips,
            # The Filters button's count; the search has its own box.
            "filter_count": len(self.chips) - ("q" in filterset.active()),
            "per_page": self.per_page,
            "per_page_choices": PER_PAGE_CHOICES,
            "sort": self.sort,
            "columns_visible": self.columns,
            "columns_all": _columns_in_order(self.columns),
            "tenant_picker": self.tenant_picker,
            "count_pending": self.count is None,
            "count_estimate": self.estimate,
        }


def hotline_list_page(
    *,
    request: HttpRequest,
    preference: UserPreference | None,
    view: SavedView | None = None,
    exact: bool = False,
    version: str | None = None,
) -> HotlineListPage:
    """Read the request's query and the person's preference into the page the list shows; with an
    open saved `view` (one the person may see), its columns, and its ID kept in every link. Counts
    that take longer than the budget are left pending (the rows come at once), unless `exact`.
    `version`: the data version the request read already (else read here)."""
    version = version or selectors.data_version()
    asked = list_request(
        request.GET, preference=preference, request=request, version=version,
        columns=view.columns if view is not None else None,
    )  # fmt: skip
    asked.view = view.pk if view is not None else None
    if exact:
        counts = ListCounts(*hotline_list_counts(filterset=asked.filterset, version=version))
    else:
        counts = hotline_list_counts_quick(filterset=asked.filterset, version=version, budget_ms=count_budget_ms())
    paged = paged_table_uncounted(request, asked) if counts.deferred else None
    if counts.deferred and paged is None:  # a page past the rows: count, then show the last page
        counts = ListCounts(*hotline_list_counts(filterset=asked.filterset, version=version))
    count, facets = counts.count, counts.facets
    page, page_notes, canonical, query, table = paged or paged_table(request, asked, count=count)
    return HotlineListPage(
        filterset=asked.filterset, table=table, count=count, facets=facets, page=page, per_page=asked.per_page,
        sort=asked.sort, columns=asked.columns, notes=[*asked.notes, *page_notes],
        chips=filter_chips(asked.filterset, canonical), query=query,
        tenant_picker=tenant_picker(
            chosen=asked.filterset.form.cleaned_data.get("tenant") or [], text=request.GET.get(TENANT_SEARCH_PARAM)
        ),
        estimate=counts.estimate,
    )  # fmt: skip


def facet_group(filterset: LenientFilterSet, name: str, counts: dict[str, int] | None) -> dict:
    """A facet filter for the template: each choice with its count under the other filters (None
    for each while they are being counted)."""
    field = filterset.form[name]
    # Strings throughout: an account's choice value is its ID, and what is ticked are Connections.
    checked = {str(getattr(item, "pk", item)) for item in filterset.form.cleaned_data.get(name) or ()}
    choices = [
        {
            "value": str(value), "label": label, "count": counts.get(str(value), 0) if counts is not None else None,
            "checked": str(value) in checked,
        }
        for value, label in field.field.choices
    ]  # fmt: skip
    total = sum(counts.values()) if counts is not None else None
    return {"name": name, "label": field.label, "choices": choices, "total": total}


def _columns_in_order(visible: list[str]) -> list[tuple[str, str, bool]]:
    """Every column as (name, label, shown): the shown ones in their order, then the others."""
    labels = dict(columns_all())
    hidden = [name for name in labels if name not in visible]
    return [(name, labels[name], True) for name in visible] + [(name, labels[name], False) for name in hidden]
