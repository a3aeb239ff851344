"""Which hotline fields an export can hold, their human headers and their API names (from the
field registry, `hotlines/hotline_fields.py`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ...hotline_fields import (
    BOOL,
    DATETIME,
    HOTLINE_FIELDS,
    NETWORK,
    STATUS,
    TENANTS,
    TEXT,
    UPSTREAM_KEY,
    HotlineField,
)

__all__ = ["BOOL", "DATETIME", "NETWORK", "STATUS", "TEXT"]  # the kinds the writers tell apart

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
        return cls(field.name, field.query_path, field.export_header, field.api_name, field.kind, field.export_width)

    @property
    def derived(self) -> bool:
        """Computed for each chunk of rows (the hotline's tenants), not read from its own column."""
        return self.kind == TENANTS

    @property
    def title(self) -> str:
        """The header in the active language (the list's table shows the same one)."""
        return str(self.header)


# The API's fields in its order, then what only the dashboard knows.
ALL_COLUMNS: tuple[ExportColumn, ...] = tuple(ExportColumn.of(field) for field in HOTLINE_FIELDS)
# The Partner API's object, field for field: what a JSON export holds, whatever the choice.
API_COLUMNS: tuple[ExportColumn, ...] = tuple(column for column in ALL_COLUMNS if column.api_name)
# JSON's own column: the hotline's tenants as an array of {"id", "name", "domain"} objects.
JSON_TENANTS = ExportColumn("tenants", "", _("Tenants"), "tenants", TENANTS, 0)
# What a JSON export holds: the API's object, then its tenants.
JSON_COLUMNS: tuple[ExportColumn, ...] = (*API_COLUMNS, JSON_TENANTS)
# The derived columns' keys (services/exports/tenant_values.py computes each).
TENANT_VALUES = {column.key for column in (*ALL_COLUMNS, JSON_TENANTS) if column.derived}
# Every column an export record may name (a queued JSON export names its `tenants` too).
COLUMNS: dict[str, ExportColumn] = {column.key: column for column in (*ALL_COLUMNS, JSON_TENANTS)}
# Names a preference may use for a field whose list name differs: its API name (not the key's
# "id", which a preference never meant as the hotline's ID).
_ALIASES = {
    column.api_name: column.key
    for column in API_COLUMNS
    if column.api_name not in COLUMNS and column.key != UPSTREAM_KEY
}


def export_columns_from_names(names: Iterable[str]) -> list[ExportColumn]:
    """The exportable columns among these names, in their order, each once (others ignored)."""
    found: dict[str, ExportColumn] = {}
    for name in names:
        column = COLUMNS.get(_ALIASES.get(name, name))
        if column is not None and column.key not in found:
            found[column.key] = column
    return list(found.values())


def export_columns_for(*, visible: list[str], choice: str) -> list[ExportColumn]:
    """The columns of an export: every field, or those the list shows, in its order."""
    return list(ALL_COLUMNS) if choice == ALL else export_columns_from_names(visible)
