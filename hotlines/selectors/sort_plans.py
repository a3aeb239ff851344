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
