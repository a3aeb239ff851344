"""SQLite: a list page sorted by a column in the Vietnamese collation (the name) reads its sort
index, not a facet's.

SQLite registers that collation as a Python function (`collation.compare`), and its planner
does not know what each comparison costs. Filtered by one status and one network, it chose the
network's index and sorted the matches: 24,000 rows at 100,000 hotlines, about 150,000 calls into
Python, 60 ms for the 50 rows of a page (a tenth of the load bench's list pages, each five times
the CPU of the others). Walking the name's index instead and keeping the rows that match is 0.15
ms there, and still the faster at 1 % of the rows matching (9 ms against 15).

Walking only loses when so few rows match that it reads most of the index to fill the page, so the
walk is chosen from the page's count, which the list knows before it reads the rows: the walk
reads about (offset + limit) × live / count index entries, the sort compares each of the count's
rows; measured per entry and per row, the walk wins when count² ≥ WALK_FACTOR × (offset + limit) ×
live. It is asked for with `INDEXED BY` (the page's query alone; its counts keep their plans):
a planner hint of the gentler kind (`+column`, which keeps a term from choosing an index) was
not enough, since SQLite then picked the index led by `is_removed` and sorted every live row.
PostgreSQL knows its collation's cost, and its plans are left alone.

PostgreSQL: a page of the list filtered by its facets alone reads the page's IDs first (`ids_first`).

Its plan walks the sort's index and fetches each entry's row from the table to test the filters,
skipped rows included: page 50 of one status and one network sorted by date fetched 12,000 rows
(17 ms), a rarer pair 100,000 (50-90 ms), and such pages were most of the database's time in the
load bench (17.5 of every 60 seconds). The sort indexes carry the facets' columns (INCLUDE status,
network: models/hotlines.py), so the page's IDs come from the index alone (an index-only scan,
the table untouched where its visibility map says so), then the page's 50 rows by primary key:
`WHERE id IN (SELECT id … ORDER BY … LIMIT … OFFSET …) ORDER BY …`, one statement. Measured at
1,000,000 hotlines: 17 ms (cold) or 6.2 ms (warm) → 1.4-2.3 ms at offset 2,450 of one pair, 52-93
→ 7 ms at offset 950 of the rarest. The nested query costs the web process ~0.25 ms more to
build, which a short walk does not win back: it is chosen when the walk passes WALK_ROWS_IDS_FIRST
rows, (offset + limit) × live / count as above.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import Col, RawSQL
from django.db.models.lookups import Lookup
from django.db.models.sql.datastructures import BaseTable
from django.db.models.sql.where import WhereNode

from ..models import Hotline
from .counts import hotline_totals

# Sorted in the Vietnamese collation, each with the live index that gives its order (models/hotlines.py).
COLLATED_SORTS = {
    field.name: index.name
    for field in Hotline._meta.concrete_fields
    if getattr(field, "db_collation", None)
    for index in Hotline._meta.indexes
    if index.fields[0] == field.name
}
# The walk's cost per index entry over the sort's per matching row (measured at 100,000 rows:
# 1.7 µs an entry walked, 2.4 µs a row sorted).
WALK_FACTOR = 0.7
# The live total is counted after each sync (warmed); a page never waits long for it.
LIVE_TOTAL_BUDGET_MS = 20


class IndexedTable(BaseTable):
    """The hotline table in a query's FROM, read through one index on SQLite (`INDEXED BY`)."""

    def __init__(self, table_name: str, alias: str, index: str) -> None:
        super().__init__(table_name, alias)
        self.index = index

    def as_sqlite(self, compiler, connection):
        sql, params = self.as_sql(compiler, connection)
        return f"{sql} INDEXED BY {compiler.quote_name(self.index)}", params

    def relabeled_clone(self, change_map: dict[str, str]) -> IndexedTable:
        return self.__class__(self.table_name, change_map.get(self.table_alias, self.table_alias), self.index)

    @property
    def identity(self) -> tuple:
        return (*super().identity, self.index)


def sort_index_walked(
    queryset: QuerySet[Hotline], *, count: int, offset: int, limit: int, live: Callable[[], int | None]
) -> QuerySet:
    """`queryset` (the rows of a page at `offset`, `count` in all) written so that SQLite walks the
    sort's index when that is the cheaper plan (see the module's note); else as it is. `live`:
    how many live hotlines there are (asked only for such a page; None when not known quickly)."""
    if connection.vendor != "sqlite" or not count:
        return queryset
    ordering = queryset.query.order_by
    if not ordering or not isinstance(ordering[0], str) or ordering[0].lstrip("-") not in COLLATED_SORTS:
        return queryset
    # Live rows only: the sort's index is partial (is_removed = 0), and SQLite reads it only for
    # a query that says so.
    if not _live_only(queryset.query.where):
        return queryset
    if count < WALK_FACTOR * (offset + limit):  # too few whatever the total (at least `count`)
        return queryset
    total = live()
    if total is None or count * count < WALK_FACTOR * (offset + limit) * total:
        return queryset
    # The index's condition written out: SQLite proves a partial index usable from the query's own
    # text, before its parameters are bound (`is_removed = ?` alone: "no query solution").
    walked = queryset.filter(is_removed=RawSQL("0", ()))
    query = walked.query
    alias = query.get_initial_alias()
    index = COLLATED_SORTS[ordering[0].lstrip("-")]
    query.alias_map[alias] = IndexedTable(query.alias_map[alias].table_name, alias, index)
    return walked


# The columns a list's facet filters test, found in every sort index (as INCLUDE columns or keys);
# with any other filter (an account, a search, a date) the page keeps its one-step plan.
FACET_COLUMNS = frozenset({"is_removed", "status", "network"})


def _sorted_by(index) -> str:
    fields = [name.lstrip("-") for name in index.fields]
    return fields[1] if fields[0] == "is_removed" else fields[0]


# Sorted columns whose live index carries the facets (models/hotlines.py).
SORT_INDEXED = frozenset(_sorted_by(index) for index in Hotline._meta.indexes if index.include)


# The index walk (rows) from which a page reads its IDs first (see the module's note): from
# about 2,000 rows the rows the walk fetches cost PostgreSQL more than the nested query costs us.
WALK_ROWS_IDS_FIRST = 2_000


def ids_first(rows: QuerySet[Hotline], *, count: int | None, live: Callable[[], int | None]) -> QuerySet[Hotline]:
    """`rows` (one page: filtered, ordered, sliced; `count` rows in all, None when not counted
    yet) read on PostgreSQL as its IDs from the sort's index, then those rows, when the walk to
    them is long (see the module's note); the same rows in the same order. Else, or for a page
    filtered by more than the facets, `rows` as it is. `live`: as for `sort_index_walked`."""
    query = rows.query
    if connection.vendor != "postgresql" or query.high_mark is None or not query.order_by:
        return rows
    first = query.order_by[0]
    if not isinstance(first, str) or first.lstrip("-") not in SORT_INDEXED:
        return rows
    if not _live_only(query.where) or not all(
        isinstance(child, Lookup) and _column(child) in FACET_COLUMNS for child in query.where.children
    ):
        return rows
    # The walk reads (offset + limit) entries at least, live / count times that under filters.
    walk = query.high_mark
    if walk < WALK_ROWS_IDS_FIRST and count:
        total = live()
        walk = walk * total / count if total else walk
    if walk < WALK_ROWS_IDS_FIRST:
        return rows
    page = Hotline.objects.filter(pk__in=rows.values("pk")).order_by(*query.order_by)
    page.query.deferred_loading = query.deferred_loading
    page.query.select_related = query.select_related
    return page


def live_total(version: str) -> int | None:
    """Live hotlines, from the totals cached for the data version (None when not counted quickly)."""
    totals = hotline_totals(version=version, budget_ms=LIVE_TOTAL_BUDGET_MS)
    return totals.total if totals is not None else None


def _live_only(where: WhereNode) -> bool:
    return where.connector == "AND" and not where.negated and any(
        isinstance(child, Lookup) and _column(child) == "is_removed" and child.lookup_name == "exact"
        and child.rhs is False
        for child in where.children
    )  # fmt: skip


def _column(lookup: Lookup) -> str | None:
    lhs = lookup.lhs
    if isinstance(lhs, Col) and lhs.alias == Hotline._meta.db_table:
        return lhs.target.column
    return None
