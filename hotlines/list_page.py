"""The hotline list page, built once per request: the query read (listing.py), the rows counted
(list_counts.py), the table fitted to the person and the page, the filters said in words
(chips.py). The view only renders what `hotline_list_page` returns (NetBox's ObjectListView.get)."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, QueryDict

from . import selectors
from .chips import Chip, filter_chips
from .filtersets import FACETS, HotlineFilterSet
from .filtersets.lenient import LenientFilterSet
from .list_counts import hotline_list_counts
from .listing import PER_PAGE_CHOICES, TENANT_SEARCH_PARAM, list_request, paged_table
from .models import SavedView, UserPreference
from .tables import HotlineTable, columns_all
from .tenant_picker import TenantPicker, tenant_picker


@dataclass(frozen=True, slots=True)
class HotlineListPage:
    """Everything the list page shows for one request."""

    filterset: HotlineFilterSet
    table: HotlineTable
    count: int
    facets: dict[str, dict[str, int]]  # per facet: each value's count under the other filters
    page: int
    per_page: int
    sort: str
    columns: list[str]
    notes: list[str]  # what in the query was changed or ignored, in words
    chips: list[Chip]
    query: QueryDict  # the canonical query: what the address bar and the links carry
    tenant_picker: TenantPicker

    def context(self) -> dict:
        """The template's context (the names the list's templates have always used)."""
        filterset = self.filterset
        return {
            "filter": filterset,
            "table": self.table,
            "list_query": self.query,
            "facet_groups": [
                facet_group(filterset, name, self.facets[name])
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
        }


def hotline_list_page(
    *, request: HttpRequest, preference: UserPreference | None, view: SavedView | None = None
) -> HotlineListPage:
    """Read the request's query and the person's preference into the page the list shows; with an
    open saved `view` (one the person may see), its columns, and its ID kept in every link."""
    version = selectors.data_version()
    asked = list_request(
        request.GET, preference=preference, request=request, version=version,
        columns=view.columns if view is not None else None,
    )  # fmt: skip
    asked.view = view.pk if view is not None else None
    count, facets = hotline_list_counts(filterset=asked.filterset, version=version)
    page, page_notes, canonical, query, table = paged_table(request, asked, count=count)
    return HotlineListPage(
        filterset=asked.filterset, table=table, count=count, facets=facets, page=page, per_page=asked.per_page,
        sort=asked.sort, columns=asked.columns, notes=[*asked.notes, *page_notes],
        chips=filter_chips(asked.filterset, canonical), query=query,
        tenant_picker=tenant_picker(
            chosen=asked.filterset.form.cleaned_data.get("tenant") or [], text=request.GET.get(TENANT_SEARCH_PARAM)
        ),
    )  # fmt: skip


def facet_group(filterset: LenientFilterSet, name: str, counts: dict[str, int]) -> dict:
    """A facet filter for the template: each choice with its count under the other filters."""
    field = filterset.form[name]
    # Strings throughout: an account's choice value is its ID, and what is ticked are Connections.
    checked = {str(getattr(item, "pk", item)) for item in filterset.form.cleaned_data.get(name) or ()}
    choices = [
        {"value": str(value), "label": label, "count": counts.get(str(value), 0), "checked": str(value) in checked}
        for value, label in field.field.choices
    ]
    return {"name": name, "label": field.label, "choices": choices, "total": sum(counts.values())}


def _columns_in_order(visible: list[str]) -> list[tuple[str, str, bool]]:
    """Every column as (name, label, shown): the shown ones in their order, then the others."""
    labels = dict(columns_all())
    hidden = [name for name in labels if name not in visible]
    return [(name, labels[name], True) for name in visible] + [(name, labels[name], False) for name in hidden]
