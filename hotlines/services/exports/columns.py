"""Which fields an export can hold, their human headers and their API names, per list: hotlines
(from the field registry, `hotlines/hotline_fields.py`) and tenants (`hotlines/tenant_fields.py`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.functional import Promise

from ...hotline_fields import (
    BOOL,
    DATETIME,
    HOTLINE_FIELDS,
    INTEGER,
    NETWORK,
    STATUS,
    TEXT,
    UPSTREAM_KEY,
    HotlineField,
)
from ...models import ExportKind
from ...tenant_fields import TENANT_FIELDS

__all__ = ["BOOL", "DATETIME", "INTEGER", "NETWORK", "STATUS", "TEXT"]  # the kinds the writers tell apart

VISIBLE = "visible"
ALL = "all"
COLUMN_CHOICES = (VISIBLE, ALL)


@dataclass(frozen=True, slots=True)
class ExportColumn:
    """One exportable column: the list's name for it, the value it reads, its header and API name."""

    key: str  # the name the list's table and the column preferences use
    field: str  # what `values_list` reads
    header: Promise
    api_name: str  # the Partner API's name for it; "" when the API has no such field
    kind: str
    width: int  # Excel column width, in characters

    @classmethod
    def of(cls, field: HotlineField) -> ExportColumn:
        """The export column of a registry field."""
        return cls(field.name, field.query_path, field.label, field.api_name, field.kind, field.export_width)

    @property
    def title(self) -> str:
        """The header in the active language (the list's table shows the same one)."""
        return str(self.header)


# The API's fields in its order, then what only the dashboard knows.
ALL_COLUMNS: tuple[ExportColumn, ...] = tuple(ExportColumn.of(field) for field in HOTLINE_FIELDS)
COLUMNS: dict[str, ExportColumn] = {column.key: column for column in ALL_COLUMNS}
# The Partner API's object, field for field: what a JSON export holds, whatever the choice.
API_COLUMNS: tuple[ExportColumn, ...] = tuple(column for column in ALL_COLUMNS if column.api_name)
# Names a preference may use for a field whose list name differs: its API name (not the key's
# "id", which a preference never meant as the hotline's ID).
_ALIASES = {
    column.api_name: column.key
    for column in API_COLUMNS
    if column.api_name not in COLUMNS and column.key != UPSTREAM_KEY
}


def export_columns_from_names(names: Iterable[str], *, kind: str = ExportKind.HOTLINES) -> list[ExportColumn]:
    """The exportable columns of a list among these names, in their order, each once (others ignored)."""
    columns, aliases = (COLUMNS, _ALIASES) if kind == ExportKind.HOTLINES else (TENANT_COLUMNS, {})
    found: dict[str, ExportColumn] = {}
    for name in names:
        column = columns.get(aliases.get(name, name))
        if column is not None and column.key not in found:
            found[column.key] = column
    return list(found.values())


def export_columns_for(*, visible: list[str], choice: str, kind: str = ExportKind.HOTLINES) -> list[ExportColumn]:
    """The columns of an export: every field, or those the list shows, in its order."""
    if choice == ALL:
        return list(ALL_COLUMNS if kind == ExportKind.HOTLINES else TENANT_ALL_COLUMNS)
    return export_columns_from_names(visible, kind=kind)


def export_api_columns(*, kind: str = ExportKind.HOTLINES) -> list[ExportColumn]:
    """The Partner API's object of a list, field for field: what a JSON export holds."""
    return list(API_COLUMNS if kind == ExportKind.HOTLINES else TENANT_API_COLUMNS)


def export_column_titles(*, kind: str = ExportKind.HOTLINES) -> dict[str, ExportColumn]:
    """A list's exportable columns by key (to say a recorded export's columns in words)."""
    return COLUMNS if kind == ExportKind.HOTLINES else TENANT_COLUMNS


# The tenant list's: its registry's fields, the API's first (`tenant_fields.TENANT_FIELDS`).
TENANT_ALL_COLUMNS: tuple[ExportColumn, ...] = tuple(ExportColumn.of(field) for field in TENANT_FIELDS)
TENANT_COLUMNS: dict[str, ExportColumn] = {column.key: column for column in TENANT_ALL_COLUMNS}
TENANT_API_COLUMNS: tuple[ExportColumn, ...] = tuple(column for column in TENANT_ALL_COLUMNS if column.api_name)
