"""How the hotline list reads a query string: filters, sort, page and page size, never failing.

Everything a person (or a shared link, or a bot) can put in the URL lands here first. Values the
list cannot use are dropped or brought into range, and each such decision comes back as a note
the page shows, so a bad link still opens a useful page instead of an error.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext

from . import selectors
from .chips import filter_notes
from .columns import SORTABLE_COLUMNS, columns_fields, columns_resolve
from .filtersets import HotlineFilterSet
from .ids import int_parse
from .models import UserPreference
from .selectors.sort_plans import ids_first
from .tables import HotlineTable

PER_PAGE_CHOICES = (25, 50, 100, 200)
PER_PAGE_DEFAULT = 50
DEFAULT_ORDER = ("-created_at", "-id")
# Parameters the list understands besides its filters; `_…` ones belong to other features
# (exports use `_export`), `back` and `columns` are ignored silently.
KNOWN_PARAMS = {"sort", "page", "per_page", "view"}
# The saved view the list is showing (its name, its columns, its bar): carried by every link of the
# list while it is open, never part of a view's own state.
VIEW_PARAM = "view"
# What the tenant picker's search box sends with the form when JavaScript is off (it only changes
# which tenants the picker offers, never the rows): not a filter, and left out of links.
TENANT_SEARCH_PARAM = "tenant_search"


def query_clean(query: QueryDict) -> QueryDict:
    """The query without NUL characters (no database accepts them in text) and surrounding spaces."""
    clean = QueryDict(mutable=True)
    for key, values in query.lists():
        clean.setlist(key.replace("\x00", ""), [value.replace("\x00", "").strip() for value in values])
    clean._mutable = False
    return clean


def parse_int(value: str | None) -> int | None:
    """A page or page size as typed: ASCII digits (maybe negative, at most 11), else None."""
    return int_parse(value, max_digits=11)


@dataclass
class ListRequest:
    """The list as one query string asks for it, with notes about what was changed or ignored."""

    query: QueryDict
    filterset: HotlineFilterSet
    columns: list[str]
    per_page: int
    sort: str
    per_page_chosen: bool = False  # the query asked for a valid page size (worth remembering)
    view: int | None = None  # the open saved view's ID (kept in links), once the list found it visible
    preferred_per_page: int = PER_PAGE_DEFAULT  # the user's saved size (links need not repeat it)
    notes: list[str] = field(default_factory=list)

    def canonical(self) -> QueryDict:
        """The query as a link should carry it: usable values only, no empty or unknown ones."""
        errors = self.filterset.errors
        clean = QueryDict(mutable=True)
        for key, values in self.query.lists():
            kept = [value for value in values if value != ""]
            read = getattr(self.filterset.form.fields.get(key), "kept", None)
            if read is not None:
                kept = read  # the IDs the filter used, as it spells them (no dropped or repeated one)
            if kept and key in self.filterset.filters and key not in errors:
                clean.setlist(key, kept)
        if self.sort:
            clean["sort"] = self.sort
        if self.per_page_chosen and self.per_page != self.preferred_per_page:
            clean["per_page"] = str(self.per_page)
        if self.view is not None:
            clean[VIEW_PARAM] = str(self.view)
        return clean

    @property
    def queryset(self) -> QuerySet:
        """The filtered rows, in the order the table will show them."""
        return self.table().data.data

    def table(self, **kwargs) -> HotlineTable:
        table = HotlineTable(self.filterset.qs, columns=self.columns, version=self.filterset.version, **kwargs)
        table.order_by = self.sort or table.order_by
        data = table.data
        if not data.data.ordered:
            data.data = data.data.order_by(*DEFAULT_ORDER)
        return table


def list_request(
    query: QueryDict,
    *,
    preference: UserPreference | None = None,
    request=None,
    version: str | None = None,
    columns: list[str] | None = None,
) -> ListRequest:
    """Read a list query string (and the user's saved choices) into what the list will show;
    `columns`, when given (an open saved view's), stand in for the person's own."""
    query = query_clean(query)
    columns = columns_resolve(columns or (preference.columns if preference else None))
    queryset = selectors.hotline_list(include_removed=True, fields=columns_fields(columns))
    filterset = HotlineFilterSet(query, queryset=queryset, request=request, version=version)
    notes = filter_notes(filterset)
    per_page, note = per_page_read(query, preference)
    chosen = bool(query.get("per_page")) and not note
    notes += note
    sort, note = sort_read(query)
    notes += note
    notes += unknown_notes(query, filterset)
    return ListRequest(
        query=query, filterset=filterset, columns=columns, per_page=per_page, sort=sort, per_page_chosen=chosen,
        preferred_per_page=per_page_preferred(preference), notes=notes,
    )  # fmt: skip


def unknown_notes(query: QueryDict, filterset) -> list[str]:
    """A note naming the parameters neither the list nor its filters understand (none if all are)."""
    unknown = sorted(
        key for key in query if key not in KNOWN_PARAMS and key not in filterset.filters and not key.startswith("_")
    )
    unknown = [key for key in unknown if key not in ("back", "columns", "csrfmiddlewaretoken", TENANT_SEARCH_PARAM)]
    if not unknown:
        return []
    return [gettext("Ignored unknown parameters: %(names)s.") % {"names": ", ".join(unknown[:5])[:200]}]


def per_page_read(query: QueryDict, preference: UserPreference | None) -> tuple[int, list[str]]:
    """The page size the query asks for (else the saved one), with a note when it had to change it."""
    preferred = per_page_preferred(preference)
    raw = query.get("per_page")
    if not raw:
        return preferred, []
    asked = parse_int(raw)
    if asked in PER_PAGE_CHOICES:
        return asked, []
    if asked is None or asked < 1:
        return preferred, [
            gettext("Rows per page must be one of 25, 50, 100 or 200; showing %(n)s.") % {"n": preferred}
        ]
    nearest = min(PER_PAGE_CHOICES, key=lambda choice: (abs(choice - asked), choice))
    return nearest, [gettext("Rows per page must be one of 25, 50, 100 or 200; showing %(n)s.") % {"n": nearest}]


def per_page_preferred(preference: UserPreference | None) -> int:
    """The page size a person saved, or the default when they saved none (or one no longer offered)."""
    return preference.per_page if preference and preference.per_page in PER_PAGE_CHOICES else PER_PAGE_DEFAULT


def sort_read(query: QueryDict, sortable: Collection[str] = SORTABLE_COLUMNS) -> tuple[str, list[str]]:
    """The sort the query asks for when a column of `sortable` (every column sorts), else none with a note."""
    raw = query.get("sort", "")
    if not raw:
        return "", []
    name = raw[1:] if raw.startswith("-") else raw
    if name in sortable:
        return raw, []
    return "", [gettext("The list cannot be sorted by “%(sort)s”; it is in the default order.") % {"sort": raw[:50]}]


def page_number(query: QueryDict, *, count: int, per_page: int) -> tuple[int, list[str]]:
    """The page to show: the asked one when it exists, else the nearest one (with a note)."""
    last = max((count - 1) // per_page + 1, 1)
    raw = query.get("page")
    if not raw:
        return 1, []
    asked = parse_int(raw)
    if asked is None:
        return 1, [gettext("“%(page)s” is not a page number; showing the first page.") % {"page": raw[:20]}]
    if asked < 1:
        return 1, [gettext("Pages start at 1; showing the first page.")]
    if asked > last:
        return last, [
            gettext("Page %(asked)s does not exist; showing the last page (%(last)s).")
            % {"asked": number_format(asked, force_grouping=True), "last": number_format(last, force_grouping=True)}
        ]
    return asked, []


def canonical_query(query: QueryDict, **replace: str | int | None) -> QueryDict:
    """The query without empty values (what a shared link needs), with some keys replaced."""
    clean = QueryDict(mutable=True)
    for key, values in query.lists():
        kept = [value for value in values if value != ""]
        if kept and key not in replace:
            clean.setlist(key, kept)
    for key, value in replace.items():
        if value not in (None, ""):
            clean[key] = str(value)
    return clean


def safe_back_query(raw: str) -> str:
    """A list query string to go back to, re-encoded so it can only ever be a query string."""
    return urlencode(list(QueryDict(raw).lists()), doseq=True)


def list_url(query: QueryDict | Mapping[str, str] | None = None, **filters: str) -> str:
    """The hotline list's URL with a query (a QueryDict, or filters by name; empty ones left out)."""
    if isinstance(query, QueryDict):
        encoded = query.urlencode()
    else:
        encoded = urlencode({key: value for key, value in {**(query or {}), **filters}.items() if value})
    return reverse("hotlines:list") + (f"?{encoded}" if encoded else "")


def paged_table(request, asked, *, count: int):
    """A list request's page among `count` rows: (page, notes on it, canonical query, the query the
    address bar carries, the table fitted to the request). Shared by the hotline and tenant lists."""
    page, notes = page_number(asked.query, count=count, per_page=asked.per_page)
    canonical = asked.canonical()
    query = canonical_query(canonical, page=page if page > 1 else None)
    table = asked.table().configure(request, page=page, per_page=asked.per_page, count=count, query=query)
    return page, notes, canonical, query, table


# Where the paging asks for a page before the rows are counted: any page number is taken as it is.
UNCOUNTED = 2**62


def paged_table_uncounted(request, asked):
    """`paged_table` before the rows are counted: the asked page's rows read at once, one more than
    fit (so the page knows whether a next one exists), and the paginator told the rows up to there;
    page links stop at the next page until the exact count comes. None when the asked page has no
    rows (past the end): the caller counts, and `paged_table` sends it to the last page."""
    page, notes = page_number(asked.query, count=UNCOUNTED, per_page=asked.per_page)
    offset = (page - 1) * asked.per_page
    table = asked.table()
    rows = selectors.hotline_rows(
        ids_first(table.data.data[offset : offset + asked.per_page + 1], count=None, live=lambda: None)
    )
    if not rows and page > 1:
        return None
    canonical = asked.canonical()
    query = canonical_query(canonical, page=page if page > 1 else None)
    # The page's rows are those read above: the table renders them without a second query.
    table.configure(
        request, page=page, per_page=asked.per_page, count=offset + len(rows), query=query, read=rows[: asked.per_page]
    )
    table.count_pending = True  # the page links say no "of N" yet (pagination.html)
    return page, notes, canonical, query, table
