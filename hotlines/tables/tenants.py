"""The tenant list table (django-tables2): one column per registry field the list shows."""

from __future__ import annotations

from datetime import datetime

import django_tables2 as tables
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .. import tenant_fields
from ..dates import when_html
from ..models import Tenant
from .base import PagedListTable
from .hotlines import CELL_CLASSES, STATUS_BADGES, long_id_html

TENANT_CELL_CLASSES = {**CELL_CLASSES, tenant_fields.INTEGER: "num"}
DEFAULT_ORDER = ("-created_at", "-id")
# What each column reads: its field (a related one for the account), for `.only()` and sorting.
COLUMN_FIELDS = {field.name: field.query_path for field in tenant_fields.LIST_COLUMNS}


def _column(field: tenant_fields.TenantField) -> tables.Column:
    """The list's column of a registry field; `id` breaks ties so paging is stable."""
    css = TENANT_CELL_CLASSES.get(field.kind)
    return tables.Column(
        verbose_name=field.label,
        accessor=field.path or None,
        order_by=(field.query_path, "id"),
        orderable=field.sortable,
        attrs={"td": {"class": css}, "th": {"class": css}} if css else None,
    )


_TenantColumns = type(tables.Table)(
    "_TenantColumns",
    (tables.Table,),
    {"__module__": __name__, **{field.name: _column(field) for field in tenant_fields.LIST_COLUMNS}},
)


def _detail_url_maker():
    """`Tenant.get_absolute_url` without a `reverse()` per row (the ID swapped into one URL)."""
    head, _sep, tail = reverse("hotlines:tenant-detail", args=[0]).rpartition("/0/")
    return lambda pk: f"{head}/{pk}/{tail}"


class TenantTable(PagedListTable, _TenantColumns):
    """Every column sorts; `id` breaks ties so paging is stable."""

    label = _("Tenants")
    few_values = frozenset(field.name for field in tenant_fields.LIST_COLUMNS if field.few_values)
    always_rendered = frozenset({"name", "status", "hotline_count", "enabled_count", "disabled_count"})

    class Meta:
        model = Tenant
        fields = ()
        sequence = tuple(COLUMN_FIELDS)
        order_by = DEFAULT_ORDER
        attrs = {"class": "table", "id": "tenant-table"}
        empty_text = _("No tenant matches these filters.")
        template_name = "hotlines/includes/table.html"
        default = "—"

    def __init__(self, *args, back: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.back = back
        self._detail_url = _detail_url_maker()

    def cell_value(self, record: Tenant, name: str):
        return record.connection.name if name == "connection" else getattr(record, name)

    def render_name(self, value: str, record: Tenant) -> str:
        url = self._detail_url(record.pk)
        if self.back:
            url = f"{url}?back={self.back}"
        removed = format_html(' <span class="badge badge-removed">{}</span>', _("removed")) if record.is_removed else ""
        # Two lines at most (CSS clamps it), the whole name on hover and on the detail page.
        shown = value or record.domain or record.etelecom_id
        return format_html('<a href="{}" class="clamp-2" title="{}">{}</a>{}', url, shown, shown, removed)

    def render_owner_id(self, value: str, record: Tenant | None = None) -> str:
        return long_id_html(value)

    def render_etelecom_id(self, value: str, record: Tenant | None = None) -> str:
        return long_id_html(value)

    def render_status(self, value: str, record: Tenant) -> str:
        css = STATUS_BADGES.get(value, "badge-other")
        return format_html('<span class="badge {}">{}</span>', css, record.status_label)

    def render_hotline_count(self, value: int, record: Tenant | None = None) -> str:
        return number_format(value or 0, force_grouping=True)

    render_enabled_count = render_hotline_count
    render_disabled_count = render_hotline_count

    def render_created_at(self, value: datetime | None, record: Tenant | None = None) -> str:
        return when_html(value)

    render_updated_at = render_created_at
    render_last_changed_at = render_created_at
