"""Which hotline fields an export can hold, their human headers and their API names."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

TEXT = "text"
STATUS = "status"
NETWORK = "network"
BOOL = "bool"
DATETIME = "datetime"

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

    @property
    def title(self) -> str:
        """The header in the active language, as the list's table shows it when it has the column."""
        from ...tables import HotlineTable  # late: the table module is heavier than this one

        column = HotlineTable.base_columns.get(self.key)
        return str(column.verbose_name if column is not None and column.verbose_name else self.header)


# The API's fields in its order, then what only the dashboard knows.
ALL_COLUMNS: tuple[ExportColumn, ...] = (
    ExportColumn("etelecom_id", "etelecom_id", _("Hotline ID"), "id", TEXT, 21),
    ExportColumn("hotline", "hotline", _("Hotline"), "hotline", TEXT, 14),
    ExportColumn("name", "name", _("Name"), "name", TEXT, 40),
    ExportColumn("description", "description", _("Description"), "description", TEXT, 50),
    ExportColumn("network", "network", _("Network"), "network", NETWORK, 12),
    ExportColumn("status", "status", _("Status"), "status", STATUS, 10),
    ExportColumn("is_free_charge", "is_free_charge", _("Free of charge"), "is_free_charge", BOOL, 10),
    ExportColumn("upstream_connection_id", "upstream_connection_id", _("Connection ID"), "connection_id", TEXT, 21),
    ExportColumn("connection_method", "connection_method", _("Connection method"), "connection_method", TEXT, 16),
    ExportColumn("owner_id", "owner_id", _("Owner ID"), "owner_id", TEXT, 21),
    ExportColumn("created_at", "created_at", _("Created"), "created_at", DATETIME, 19),
    ExportColumn("updated_at", "updated_at", _("Updated"), "updated_at", DATETIME, 19),
    ExportColumn("connection", "connection__name", _("eTelecom account"), "", TEXT, 16),
    ExportColumn("last_changed_at", "last_changed_at", pgettext_lazy("column", "Last changed"), "", DATETIME, 19),
    ExportColumn("is_removed", "is_removed", _("Removed"), "", BOOL, 9),
)
COLUMNS: dict[str, ExportColumn] = {column.key: column for column in ALL_COLUMNS}
# The Partner API's object, field for field: what a JSON export holds, whatever the choice.
API_COLUMNS: tuple[ExportColumn, ...] = tuple(column for column in ALL_COLUMNS if column.api_name)
# Names a preference may use for a field whose list name differs.
_ALIASES = {"connection_id": "upstream_connection_id"}


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
