"""Which hotline columns a person may show, and the model fields each needs: plain lists, no
presentation, so services (saving a person's choice) and tables (drawing it) share them."""

from __future__ import annotations

from collections.abc import Iterable

from . import hotline_fields

# Shown unless a person chose otherwise; `hotline` is always shown first (it links to the detail).
DEFAULT_COLUMNS = hotline_fields.DEFAULT_COLUMNS
FIXED_COLUMN = "hotline"
# The model fields each column needs (for `.only()`), in the order the columns are offered.
COLUMN_FIELDS = {field.name: field.query_paths for field in hotline_fields.LIST_COLUMNS}
COLUMN_FIELDS[FIXED_COLUMN] = (FIXED_COLUMN, "is_removed")
# Columns a person may sort by (a hotline may have several tenants: those columns do not sort).
SORTABLE_COLUMNS = {field.name for field in hotline_fields.LIST_COLUMNS if field.sortable}


def columns_resolve(saved: Iterable[str] | None) -> list[str]:
    """The visible columns from a saved choice: known names only, `hotline` first; defaults if none."""
    if not saved:
        return list(DEFAULT_COLUMNS)
    names = [name for name in dict.fromkeys(saved) if name in COLUMN_FIELDS and name != FIXED_COLUMN]
    return [FIXED_COLUMN, *names]


def columns_fields(columns: Iterable[str]) -> list[str]:
    """The model fields the visible columns need."""
    return ["id", *dict.fromkeys(field for name in columns for field in COLUMN_FIELDS.get(name, ()))]


def columns_after(*, order: list[str], shown: set[str], move: str) -> list[str]:
    """The visible columns after a save: the submitted order, one column moved up or down if asked."""
    order = [name for name in dict.fromkeys(order) if name in COLUMN_FIELDS and name != FIXED_COLUMN]
    order += [name for name in COLUMN_FIELDS if name not in order and name != FIXED_COLUMN]
    direction, _sep, name = move.partition(":")
    if name in order and direction in ("up", "down"):
        visible = [n for n in order if n in shown or n == name]
        at = visible.index(name)
        other = at - 1 if direction == "up" else at + 1
        if 0 <= other < len(visible):
            a, b = order.index(visible[at]), order.index(visible[other])
            order[a], order[b] = order[b], order[a]
    return [FIXED_COLUMN, *(name for name in order if name in shown)]
