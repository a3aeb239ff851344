"""The tenant list page, built once per request as the hotline list's is (list_page.py): the query
read with the hotline list's rules (listing.py), counted (list_counts.py), the table fitted to the
page, the filters said in words (chips.py). The view only renders what `tenant_list_page` returns."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import HttpRequest, QueryDict
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from . import selectors
from .chips import Chip, filter_chips, filter_notes
from .filtersets import TENANT_FACETS, TenantFilterSet
from .list_counts import tenant_list_counts
from .list_page import facet_group
from .listing import (
    PER_PAGE_CHOICES,
    ListRequest,
    paged_table,
    per_page_preferred,
    per_page_read,
    query_clean,
    sort_read,
    unknown_notes,
)
from .models import UserPreference
from .tables.tenants import COLUMN_FIELDS, DEFAULT_ORDER, TenantTable

# Why a list without any tenant is empty, in the empty state's words (see the template).
EMPTY_NOT_SYNCED = "not_synced"
EMPTY_UNAVAILABLE = "unavailable"
# The rendered table is kept in the cache this long at most; its key moves with the data.
TABLE_CACHE_SECONDS = 24 * 3600


@dataclass
class TenantListRequest(ListRequest):
    """The tenant list as one query string asks for it (every column shown: tenants have few)."""

    filterset: TenantFilterSet

    def table(self, **kwargs) -> TenantTable:
        table = TenantTable(self.filterset.qs, **kwargs)
        table.order_by = self.sort or table.order_by
        data = table.data
        if not data.data.ordered:
            data.data = data.data.order_by(*DEFAULT_ORDER)
        return table


def tenant_list_request(
    query: QueryDict, *, preference: UserPreference | None = None, request=None, version: str | None = None
) -> TenantListRequest:
    """Read a tenant list query string into what the list will show, never failing."""
    query = query_clean(query)
    queryset = selectors.tenant_list(fields=("id", *COLUMN_FIELDS.values(), "is_removed"))
    filterset = TenantFilterSet(query, queryset=queryset, request=request, version=version)
    notes = filter_notes(filterset)
    per_page, note = per_page_read(query, preference)
    chosen = bool(query.get("per_page")) and not note
    notes += note
    sort, note = sort_read(query, COLUMN_FIELDS)
    notes += note
    notes += unknown_notes(query, filterset)
    return TenantListRequest(
        query=query, filterset=filterset, columns=list(COLUMN_FIELDS), per_page=per_page, sort=sort,
        per_page_chosen=chosen,
        preferred_per_page=per_page_preferred(preference), notes=notes,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class TenantListPage:
    """Everything the tenant list shows for one request."""

    filterset: TenantFilterSet
    table: TenantTable
    count: int
    facets: dict[str, dict[str, int]]
    page: int
    per_page: int
    sort: str
    notes: list[str]
    chips: list[Chip]
    query: QueryDict  # the canonical query: what the address bar and the links carry
    empty: str  # "" when some tenant exists, else why none does (EMPTY_*)
    table_key: str  # what the rendered table is cached under (`table_cache_key`)

    def context(self) -> dict:
        """The template's context."""
        filterset = self.filterset

        def facet_groups() -> list[dict]:
            return [
                facet_group(filterset, name, self.facets[name])
                for name in TENANT_FACETS
                # The account filter only when there is a choice (several active accounts).
                if name != "connection" or selectors.connection_count() > 1
            ]

        return {
            "filter": filterset,
            "table": self.table,
            "list_query": self.query,
            # Made when the template first reads them: not on a page whose filter panel is cached
            # (the accounts' choices and how many are active are two queries).
            "facet_groups": SimpleLazyObject(facet_groups),
            "notes": self.notes,
            "chips": self.chips,
            "filter_count": len(self.chips) - ("q" in filterset.active()),
            "per_page": self.per_page,
            "per_page_choices": PER_PAGE_CHOICES,
            "sort": self.sort,
            "empty": self.empty,
            "table_key": self.table_key,
            "table_ttl": TABLE_CACHE_SECONDS,
        }


def tenant_list_page(*, request: HttpRequest, preference: UserPreference | None) -> TenantListPage:
    """Read the request's query into the page the tenant list shows."""
    versions = selectors.tenant_list_versions()
    version = versions.data
    asked = tenant_list_request(request.GET, preference=preference, request=request, version=version)
    count, facets = tenant_list_counts(filterset=asked.filterset, version=version)
    page, page_notes, canonical, query, table = paged_table(request, asked, count=count)
    table_key = table_cache_key(version=versions.rows, query=query, table=table)
    empty = ""
    if version == "empty":  # no tenant at all, removed or not: say why
        empty = EMPTY_UNAVAILABLE if selectors.tenants_unavailable() else EMPTY_NOT_SYNCED
    return TenantListPage(
        filterset=asked.filterset, table=table, count=count, facets=facets, page=page, per_page=asked.per_page,
        sort=asked.sort, notes=[*asked.notes, *page_notes], chips=filter_chips(asked.filterset, canonical),
        query=query, empty=empty, table_key=table_key,
    )  # fmt: skip


def table_cache_key(*, version: str, query: QueryDict, table: TenantTable) -> str:
    """Everything the rendered table (headers, rows, paging) depends on, as one key: the rows'
    data version (tenants, their hotline figures, account names), the canonical query (the sort,
    page and detail links carry it, whatever the request's own held), the page and its size, the
    order, the language, the time zone (dates) and the URL prefix. Nothing of the person: everyone
    who may open the list sees the same rows."""
    parts = (
        version, query.urlencode(), table.page.number, table.paginator.per_page,
        ",".join(table.order_by or ()), get_language(), timezone.get_current_timezone_name(), get_script_prefix(),
    )  # fmt: skip
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()


def tenant_list_url(query: QueryDict | None = None) -> str:
    """The tenant list's URL with a query."""
    encoded = query.urlencode() if query is not None else ""
    return reverse("hotlines:tenant-list") + (f"?{encoded}" if encoded else "")


def tenant_back_url(raw: str) -> str:
    """The tenant list a detail page leads back to, from its `back` parameter (only ever a query)."""
    return tenant_list_url(QueryDict(urlencode(list(QueryDict(raw).lists()), doseq=True)))
