"""Every field of a hotline, declared once: what the Partner API calls it, how people name it,
its kind, and where it goes (the list's columns, the history, exports, the sync's SQL, the sandbox).

Tables, export columns, history labels, the sync's column lists, the payload's parsing and the
sandbox's shape are derived from `HOTLINE_FIELDS`: adding a field is one declaration here, a
migration (the model's field) and its tests. Domain only: no model and no presentation imports,
so the client package (`hotlines/etelecom/`) may read it too.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# Kinds: how a value is parsed from the API, stored, shown and exported.
TEXT = "text"  # short text, numbers from the API taken as their digits
LONG_TEXT = "long_text"  # free text people write (names, descriptions): shown wide, never a number
NUMBER = "number"  # a phone number
ID = "id"  # a 64-bit ID, kept as its exact digits
NETWORK = "network"
STATUS = "status"
BOOL = "bool"
DATETIME = "datetime"
INTEGER = "integer"  # a count the dashboard keeps (a tenant's hotlines), never from the API
# The hotline's tenants (selectors/tenancy.py maps them): not stored on the hotline, read per page
# or per export chunk from its connection and owner; a hotline may have several, so never sorted.
TENANTS = "tenants"

# PostgreSQL types of the values a sync carries (any other kind travels as text).
_SQL_TYPES = {BOOL: "boolean", DATETIME: "timestamptz"}
# Codes and numbers lose the spaces a gateway pads them with; text people wrote is kept as sent.
_STRIPPED = {NUMBER, ID, NETWORK, STATUS}


@dataclass(frozen=True, slots=True)
class HotlineField:
    """One hotline field and everything derived from it."""

    name: str  # the model's field: the list's column, the history's field, the export's key
    label: Promise  # column header, export header
    kind: str
    export_width: int  # Excel column width, in characters (every field is exportable)
    api_name: str = ""  # the Partner API's name; "" when only the dashboard knows it
    path: str = ""  # what a query reads, when not `name` (a related model's field)
    max_length: int = 10_000  # longest value taken from the API
    required: bool = False  # a payload without it is refused
    tracked: bool = False  # its changes are recorded in the history
    history_label: Promise | None = None  # the history's word for it, when not `label`
    column: int = 0  # its place among the list's columns (the column chooser's order); 0: none
    shown: bool = False  # among the list's columns a person sees before choosing
    sortable: bool = True
    few_values: bool = False  # takes a handful of values (the table renders each value once)
    export_label: Promise | None = None  # the export's header, when not `label`
    # A derived field: the hotline's own fields it is computed from (no column of its own).
    reads: tuple[str, ...] = ()

    @property
    def query_path(self) -> str:
        """What `values_list`, `only()` and `order_by` read."""
        return self.path or self.name

    @property
    def query_paths(self) -> tuple[str, ...]:
        """What a query must read to show it: its own column, or what it is derived from."""
        return self.reads or (self.query_path,)

    @property
    def export_header(self) -> Promise:
        """How an export's header names it."""
        return self.export_label or self.label

    @property
    def sql_type(self) -> str:
        """Its PostgreSQL type when a sync sends it as JSON."""
        return _SQL_TYPES.get(self.kind, "text")

    @property
    def stripped(self) -> bool:
        """Surrounding spaces from the API are dropped."""
        return self.kind in _STRIPPED

    @property
    def change_label(self) -> Promise:
        """How the history names it."""
        return self.history_label or self.label


F = HotlineField
# The API's fields in its order, then what only the dashboard knows (the exports' order).
HOTLINE_FIELDS: tuple[HotlineField, ...] = (
    F("etelecom_id", _("Hotline ID"), ID, 21, api_name="id", max_length=32, required=True, column=10),
    F("hotline", _("Hotline"), NUMBER, 14, api_name="hotline", max_length=32, required=True,
      tracked=True, history_label=_("Number"), column=1, shown=True),
    F("name", _("Name"), LONG_TEXT, 40, api_name="name", max_length=500, tracked=True, column=2, shown=True),
    F("description", _("Description"), LONG_TEXT, 50, api_name="description", tracked=True, column=3),
    F("network", _("Network"), NETWORK, 12, api_name="network", max_length=50, tracked=True, column=4, shown=True,
      few_values=True),
    F("status", _("Status"), STATUS, 10, api_name="status", max_length=50, tracked=True, column=5, shown=True,
      few_values=True),
    F("is_free_charge", _("Free of charge"), BOOL, 10, api_name="is_free_charge", tracked=True, column=6,
      shown=True, few_values=True),
    F("upstream_connection_id", _("Connection ID"), ID, 21, api_name="connection_id", max_length=32, tracked=True),
    F("connection_method", _("Connection method"), TEXT, 16, api_name="connection_method", max_length=100,
      tracked=True, column=7, few_values=True),
    # The owner's name beside its number: the tenants whose owner_id is the hotline's.
    F("tenant_name", _("Tenant"), TENANTS, 40, column=8, shown=True, sortable=False,
      export_label=_("Tenant name"), reads=("connection", "owner_id")),
    F("tenant_domain", _("Tenant domain"), TENANTS, 30, column=15, sortable=False, reads=("connection", "owner_id")),
    # Not shown unless chosen: the Tenant column names the owner (issue 16: names where numbers were).
    F("owner_id", _("Owner ID"), ID, 21, api_name="owner_id", max_length=32, tracked=True, column=9),
    F("created_at", _("Created"), DATETIME, 19, api_name="created_at", column=12, shown=True),
    F("updated_at", _("Updated"), DATETIME, 19, api_name="updated_at", column=13, shown=True),
    F("connection", _("eTelecom account"), TEXT, 16, path="connection__name", column=11, few_values=True),
    F("last_changed_at", pgettext_lazy("column", "Last changed"), DATETIME, 19, column=14),
    F("is_removed", _("Removed"), BOOL, 9),
)  # fmt: skip
del F

FIELDS: dict[str, HotlineField] = {field.name: field for field in HOTLINE_FIELDS}
# The hotline's key upstream: it identifies a row, it is not one of its values.
UPSTREAM_KEY = "etelecom_id"
# The Partner API's object, field for field, in its order.
API_FIELDS: tuple[HotlineField, ...] = tuple(field for field in HOTLINE_FIELDS if field.api_name)
# The upstream values a sync writes to a hotline (all but its key).
CONTENT_FIELDS: tuple[HotlineField, ...] = tuple(field for field in API_FIELDS if field.name != UPSTREAM_KEY)
# Fields whose changes the history records (timestamps change with everything else).
TRACKED_FIELDS: tuple[HotlineField, ...] = tuple(field for field in HOTLINE_FIELDS if field.tracked)
# Fields computed from others (the hotline's tenants), read apart from the hotline's own columns.
DERIVED_FIELDS: tuple[HotlineField, ...] = tuple(field for field in HOTLINE_FIELDS if field.reads)
# The list's columns, in the column chooser's order.
LIST_COLUMNS: tuple[HotlineField, ...] = tuple(
    sorted((field for field in HOTLINE_FIELDS if field.column), key=lambda field: field.column)
)
# Shown unless a person chose otherwise, in that order.
DEFAULT_COLUMNS: tuple[str, ...] = tuple(field.name for field in LIST_COLUMNS if field.shown)
