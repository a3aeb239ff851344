"""The tenant list table (django-tables2): one column per registry field the list shows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cached_property
from html import escape as html_escape
from typing import Any

import django_tables2 as tables
from django.urls import reverse
from django.utils import numberformat
from django.utils.formats import get_format, number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from .. import tenant_fields
from ..choices import HotlineStatus, label_for
from ..dates import when_html, when_html_maker
from ..models import Tenant
from .base import PagedListTable, columns_copied_shallow
from .hotlines import CELL_CLASSES, LONG_ID, LONG_ID_TAIL, STATUS_BADGES, long_id_html

TENANT_CELL_CLASSES = {**CELL_CLASSES, tenant_fields.INTEGER: "num"}
DEFAULT_ORDER = ("-created_at", "-id")
# What each column reads: its field (a related one for the account), for `.only()` and sorting.
COLUMN_FIELDS = {field.name: field.query_path for field in tenant_fields.LIST_COLUMNS}
# What a page's rows read (values, not model instances): the columns, and what the name cell
# falls back to and marks.
RECORD_FIELDS = tuple(dict.fromkeys(("id", "is_removed", "domain", "etelecom_id", *COLUMN_FIELDS.values())))
INTEGER_COLUMNS = frozenset(field.name for field in tenant_fields.LIST_COLUMNS if field.kind == tenant_fields.INTEGER)
DATE_COLUMNS = frozenset(field.name for field in tenant_fields.LIST_COLUMNS if field.kind == tenant_fields.DATETIME)
ID_COLUMNS = frozenset(field.name for field in tenant_fields.LIST_COLUMNS if field.kind == tenant_fields.ID)


def _escape(text: Any) -> str:
    """HTML-escaped text, as Django's `escape` writes it, without its lazy-string checks."""
    return html_escape(str(text), quote=True)


def _long_id(value: str) -> str:
    """`long_id_html` in an f-string (a page has a hundred IDs)."""
    if len(value) <= LONG_ID:
        return _escape(value)
    head, tail = _escape(value[:-LONG_ID_TAIL]), _escape(value[-LONG_ID_TAIL:])
    return (
        f'<span class="long-id" title="{_escape(value)}"><span class="long-id-head">{head}</span>'
        f"<span>{tail}</span></span>"
    )


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


@columns_copied_shallow  # one table per request: its columns copied shallowly
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

    def page_records(self) -> list[dict[str, Any]]:
        """The page's tenants as plain rows (one query; building a model instance per row cost
        a tenth of the page)."""
        rows = self.page.object_list.data if hasattr(self, "page") else self.data.data
        return list(rows.values(*RECORD_FIELDS))

    def _cell_maker(self, name: str) -> Callable[[Any, dict[str, Any]], str]:
        """How a column turns a row's value into its cell's HTML, each value escaped; the same
        HTML as its `render_*` method (tests compare them)."""
        if name == "name":
            removed = f' <span class="badge badge-removed">{_escape(_("removed"))}</span>'
            back = f"?back={self.back}" if self.back else ""
            detail_url = self._detail_url

            def name_cell(value: str, row: dict[str, Any]) -> str:
                shown = _escape(value or row["domain"] or row["etelecom_id"])
                url = _escape(f"{detail_url(row['id'])}{back}")
                mark = removed if row["is_removed"] else ""
                return f'<a href="{url}" class="clamp-2" title="{shown}">{shown}</a>{mark}'

            return name_cell
        if name == "status":
            return lambda value, row: (
                f'<span class="badge {STATUS_BADGES.get(value, "badge-other")}">'
                f"{_escape(label_for(HotlineStatus, value))}</span>"
            )
        if name in INTEGER_COLUMNS:
            grouped = self._number_maker
            return lambda value, row: _escape(grouped(value or 0))
        if name in DATE_COLUMNS:
            when = self._when_maker
            return lambda value, row: str(when(value))
        if name in ID_COLUMNS:
            return lambda value, row: _long_id(value)
        return lambda value, row: _escape(value)

    @cached_property
    def _number_maker(self) -> Callable[[int], str]:
        """`number_format(value, force_grouping=True)` with the active language's separators
        looked up once for the page, not per cell."""
        decimal, grouping, thousands = (
            get_format(name) for name in ("DECIMAL_SEPARATOR", "NUMBER_GROUPING", "THOUSAND_SEPARATOR")
        )
        return lambda value: numberformat.format(value, decimal, None, grouping, thousands, force_grouping=True)

    @cached_property
    def _when_maker(self) -> Callable[[datetime | None], str]:
        return when_html_maker()

    def rows_html(self) -> SafeString:
        """The page's rows as HTML from plain rows (`page_records`). A cell that depends on its
        value alone (all but the name's) is made once per distinct value on the page: counts,
        statuses, accounts, and dates repeat."""
        columns = []
        for column in self.columns:
            name = column.name
            css = column.column.attrs.get("td", {}).get("class", "")
            css_attr = format_html(' class="{}"', css) if css else ""
            opening = format_html('<td{} data-label="{}">', css_attr, column.header)
            key = COLUMN_FIELDS[name]
            columns.append((key, opening, self._cell_maker(name), name in self.always_rendered, name != "name"))
        rows = []
        memos: dict[str, dict[Any, str]] = {}
        for row in self.page_records():
            cells = []
            for key, opening, make, always, by_value in columns:
                value = row[key]
                if (value is None or value == "") and not always:
                    cells.append(f"{opening}—</td>")
                    continue
                if by_value:
                    memo = memos.setdefault(key, {})
                    html = memo.get(value)
                    if html is None:
                        html = memo[value] = make(value, row)
                else:
                    html = make(value, row)
                cells.append(f"{opening}{html}</td>")
            rows.append(f"<tr>{''.join(cells)}</tr>")
        if not rows:
            rows.append(format_html('<tr><td colspan="{}" class="empty">{}</td></tr>', len(columns), self.empty_text))
        return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped

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
