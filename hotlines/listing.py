"""How the hotline list reads a query string: filters, sort, page and page size, never failing.

Everything a person (or a shared link, or a bot) can put in the URL lands here first. Values the
list cannot use are dropped or brought into range, and each such decision comes back as a note
the page shows, so a bad link still opens a useful page instead of an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.formats import number_format
from django.utils.translation import gettext

from . import selectors
from .filtersets import FACETS, HotlineFilterSet
from .ids import int_parse
from .models import UserPreference
from .tables import COLUMN_FIELDS, HotlineTable, columns_fields, columns_resolve

PER_PAGE_CHOICES = (25, 50, 100, 200)
PER_PAGE_DEFAULT = 50
DEFAULT_ORDER = ("-created_at", "-id")
# Parameters the list understands besides its filters; `_…` ones belong to other features
# (exports use `_export`), `back` and `columns` are ignored silently.
KNOWN_PARAMS = {"sort", "page", "per_page"}


class CountedPaginator(Paginator):
    """A paginator told its count (cached per data version) instead of running COUNT(*) itself."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


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
    preferred_per_page: int = PER_PAGE_DEFAULT  # the user's saved size (links need not repeat it)
    notes: list[str] = field(default_factory=list)

    def canonical(self) -> QueryDict:
        """The query as a link should carry it: usable values only, no empty or unknown ones."""
        errors = self.filterset.errors
        clean = QueryDict(mutable=True)
        for key, values in self.query.lists():
            kept = [value for value in values if value != ""]
            if kept and key in self.filterset.filters and key not in errors:
                clean.setlist(key, kept)
        if self.sort:
            clean["sort"] = self.sort
        if self.per_page_chosen and self.per_page != self.preferred_per_page:
            clean["per_page"] = str(self.per_page)
        return clean

    @property
    def queryset(self) -> QuerySet:
        """The filtered rows, in the order the table will show them."""
        return self.table().data.data

    def table(self, **kwargs) -> HotlineTable:
        table = HotlineTable(self.filterset.qs, columns=self.columns, **kwargs)
        table.order_by = self.sort or table.order_by
        data = table.data
        if not data.data.ordered:
            data.data = data.data.order_by(*DEFAULT_ORDER)
        return table


def list_request(
    query: QueryDict, *, preference: UserPreference | None = None, request=None, version: str | None = None
) -> ListRequest:
    """Read a list query string (and the user's saved choices) into what the list will show."""
    query = query_clean(query)
    columns = columns_resolve(preference.columns if preference else None)
    queryset = selectors.hotline_list(include_removed=True, fields=columns_fields(columns))
    filterset = HotlineFilterSet(query, queryset=queryset, request=request, version=version)
    notes = filterset.problems()
    per_page, note = _per_page(query, preference)
    chosen = bool(query.get("per_page")) and not note
    notes += note
    sort, note = _sort(query)
    notes += note
    unknown = sorted(
        key for key in query if key not in KNOWN_PARAMS and key not in filterset.filters and not key.startswith("_")
    )
    unknown = [key for key in unknown if key not in ("back", "columns", "csrfmiddlewaretoken")]
    if unknown:
        notes.append(gettext("Ignored unknown parameters: %(names)s.") % {"names": ", ".join(unknown[:5])[:200]})
    return ListRequest(
        query=query, filterset=filterset, columns=columns, per_page=per_page, sort=sort, per_page_chosen=chosen,
        preferred_per_page=_per_page(QueryDict(), preference)[0], notes=notes,
    )  # fmt: skip


def _per_page(query: QueryDict, preference: UserPreference | None) -> tuple[int, list[str]]:
    preferred = preference.per_page if preference and preference.per_page in PER_PAGE_CHOICES else PER_PAGE_DEFAULT
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


def _sort(query: QueryDict) -> tuple[str, list[str]]:
    raw = query.get("sort", "")
    if not raw:
        return "", []
    name = raw[1:] if raw.startswith("-") else raw
    if name in COLUMN_FIELDS:  # every column sorts
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


def list_counts(filterset: HotlineFilterSet, *, version: str) -> tuple[int, dict[str, dict[str, int]]]:
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
