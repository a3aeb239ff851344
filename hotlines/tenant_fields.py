"""Every field of a tenant (a customer's PBX, from `GetPartnerTenantList`), declared once.

The same shape as a hotline's fields (`hotline_fields.HotlineField`): the tenant list's columns,
its exports, its history labels, the sync's column lists, the payload's parsing and the
sandbox's shape are derived from `TENANT_FIELDS`. Domain only: no model and no presentation
imports, so the client package (`hotlines/etelecom/`) may read it too.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .hotline_fields import BOOL, DATETIME, ID, INTEGER, LONG_TEXT, STATUS, TEXT, HotlineField

TenantField = HotlineField  # one shape for every upstream object's fields

F = TenantField
# The API's fields in its order, then what only the dashboard knows (the exports' order).
TENANT_FIELDS: tuple[TenantField, ...] = (
    F("etelecom_id", _("Tenant ID"), ID, 21, api_name="id", max_length=32, required=True, column=9),
    F("name", _("Name"), LONG_TEXT, 40, api_name="name", max_length=500, tracked=True, column=1, shown=True),
    F("domain", _("Domain"), TEXT, 30, api_name="domain", max_length=255, tracked=True, column=2, shown=True),
    F("owner_id", _("Owner ID"), ID, 21, api_name="owner_id", max_length=32, tracked=True, column=3, shown=True),
    F("status", _("Status"), STATUS, 10, api_name="status", max_length=50, tracked=True, column=4, shown=True,
      few_values=True),
    F("upstream_connection_id", _("Connection ID"), ID, 21, api_name="connection_id", max_length=32),
    F("connection_method", _("Connection method"), TEXT, 16, api_name="connection_method", max_length=100,
      column=8, few_values=True),
    F("created_at", _("Created"), DATETIME, 19, api_name="created_at", column=10, shown=True),
    F("updated_at", _("Updated"), DATETIME, 19, api_name="updated_at", column=11),
    F("connection", _("eTelecom account"), TEXT, 16, path="connection__name", column=7, few_values=True),
    F("hotline_count", _("Hotlines"), INTEGER, 10, column=5, shown=True),
    F("enabled_count", _("Enabled hotlines"), INTEGER, 10, column=6, shown=True),
    F("disabled_count", _("Disabled hotlines"), INTEGER, 10, column=12),
    F("last_changed_at", pgettext_lazy("column", "Last changed"), DATETIME, 19, column=13),
    F("is_removed", _("Removed"), BOOL, 9),
)  # fmt: skip
del F

FIELDS: dict[str, TenantField] = {field.name: field for field in TENANT_FIELDS}
UPSTREAM_KEY = "etelecom_id"
# The Partner API's tenant object, field for field, in its order.
API_FIELDS: tuple[TenantField, ...] = tuple(field for field in TENANT_FIELDS if field.api_name)
# The upstream values a sync writes to a tenant (all but its key).
CONTENT_FIELDS: tuple[TenantField, ...] = tuple(field for field in API_FIELDS if field.name != UPSTREAM_KEY)
# Fields whose changes the tenant's history records.
TRACKED_FIELDS: tuple[TenantField, ...] = tuple(field for field in TENANT_FIELDS if field.tracked)
LIST_COLUMNS: tuple[TenantField, ...] = tuple(
    sorted((field for field in TENANT_FIELDS if field.column), key=lambda field: field.column)
)
DEFAULT_COLUMNS: tuple[str, ...] = tuple(field.name for field in LIST_COLUMNS if field.shown)
