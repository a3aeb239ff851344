"""The hotline list table (django-tables2): every column, which ones show, and in which order."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import django_tables2 as tables
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .choices import HotlineStatus
from .models import Hotline

STATUS_BADGES = {
    HotlineStatus.ENABLED: "badge-enabled",
    HotlineStatus.DISABLED: "badge-disabled",
    HotlineStatus.NEW: "badge-new",
}
# Shown unless a person chose otherwise; `hotline` is always shown first (it links to the detail).
DEFAULT_COLUMNS = ("hotline", "name", "network", "status", "is_free_charge", "owner_id", "created_at", "updated_at")
FIXED_COLUMN = "hotline"
ALWAYS_RENDERED = {"hotline", "status", "network"}  # their render shows something even for an empty value
# The model fields each column needs (for `.only()`).
COLUMN_FIELDS = {
    "hotline": ("hotline", "is_removed"),
    "name": ("name",),
    "description": ("description",),
    "network": ("network",),
    "status": ("status",),
    "is_free_charge": ("is_free_charge",),
    "connection_method": ("connection_method",),
    "owner_id": ("owner_id",),
    "etelecom_id": ("etelecom_id",),
    "connection": ("connection__name",),
    "created_at": ("created_at",),
    "updated_at": ("updated_at",),
    "last_changed_at": ("last_changed_at",),
}


def _when(value: datetime | None) -> str:
    if value is None:
        return "—"
    # Django's `date_format` looks the format up on every call; the table asks hundreds of times.
    fmt = get_format("SHORT_DATETIME_FORMAT")
    return format_html(
        '<time datetime="{}">{}</time>',
        value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        dateformat.format(timezone.localtime(value), fmt),
    )


class HotlineTable(tables.Table):
    """Every column sorts; `id` breaks ties so paging is stable."""

    hotline = tables.Column(verbose_name=_("Hotline"), order_by=("hotline", "id"), attrs={"td": {"class": "mono"}})
    name = tables.Column(verbose_name=_("Name"), order_by=("name", "id"), attrs={"td": {"class": "col-wide"}})
    description = tables.Column(
        verbose_name=_("Description"), order_by=("description", "id"), attrs={"td": {"class": "col-wide"}}
    )
    network = tables.Column(verbose_name=_("Network"), order_by=("network", "id"))
    status = tables.Column(verbose_name=_("Status"), order_by=("status", "id"))
    is_free_charge = tables.Column(verbose_name=_("Free of charge"), order_by=("is_free_charge", "id"))
    connection_method = tables.Column(verbose_name=_("Connection method"), order_by=("connection_method", "id"))
    owner_id = tables.Column(verbose_name=_("Owner ID"), order_by=("owner_id", "id"), attrs={"td": {"class": "mono"}})
    etelecom_id = tables.Column(
        verbose_name=_("Hotline ID"), order_by=("etelecom_id", "id"), attrs={"td": {"class": "mono"}}
    )
    connection = tables.Column(
        verbose_name=_("eTelecom account"), accessor="connection__name", order_by=("connection__name", "id")
    )
    created_at = tables.Column(
        verbose_name=_("Created"), order_by=("created_at", "id"), attrs={"td": {"class": "nowrap"}}
    )
    updated_at = tables.Column(
        verbose_name=_("Updated"), order_by=("updated_at", "id"), attrs={"td": {"class": "nowrap"}}
    )
    last_changed_at = tables.Column(
        verbose_name=pgettext_lazy("column", "Last changed"),
        order_by=("last_changed_at", "id"),
        attrs={"td": {"class": "nowrap"}},
    )

    class Meta:
        model = Hotline
        fields = ()
        sequence = DEFAULT_COLUMNS
        order_by = ("-created_at",)
        attrs = {"class": "table", "id": "hotline-table"}
        empty_text = _("No hotline matches these filters.")
        default = "—"

    def __init__(self, *args, back: str = "", columns: Iterable[str] | None = None, **kwargs) -> None:
        visible = columns_resolve(columns)
        kwargs.setdefault("sequence", (*visible, "..."))
        super().__init__(*args, **kwargs)
        self.back = back
        for name in COLUMN_FIELDS:
            if name not in visible:
                self.columns.hide(name)

    def rows_html(self) -> SafeString:
        """The page's rows as HTML. Rendered here, with the same `render_*` methods, instead of cell
        by cell through django-tables2's generic path, which costs ~0.1 ms a cell (most of the
        page's server time at 200 rows); the header, sorting and paging stay django-tables2's."""
        columns = []
        for column in self.columns:
            css = column.column.attrs.get("td", {}).get("class", "")
            opening = format_html(
                '<td{} data-label="{}">', format_html(' class="{}"', css) if css else "", column.header
            )
            render = getattr(self, f"render_{column.name}", None)
            columns.append((column.name, opening, render))
        rows = []
        for record in self.page.object_list.data if hasattr(self, "page") else self.data:
            cells = []
            for name, opening, render in columns:
                value = record.connection.name if name == "connection" else getattr(record, name)
                if render is not None and (value not in (None, "") or name in ALWAYS_RENDERED):
                    html = conditional_escape(render(value=value, record=record))
                else:
                    html = conditional_escape(value) if value not in (None, "") else "—"
                cells.append(f"{opening}{html}</td>")
            rows.append(f"<tr>{''.join(cells)}</tr>")
        if not rows:
            rows.append(format_html('<tr><td colspan="{}" class="empty">{}</td></tr>', len(columns), self.empty_text))
        return mark_safe("".join(rows))  # noqa: S308 - every piece above is escaped or built with format_html

    def render_hotline(self, value: str, record: Hotline) -> str:
        url = record.get_absolute_url()
        if self.back:
            url = f"{url}?back={self.back}"
        removed = format_html(' <span class="badge badge-removed">{}</span>', _("removed")) if record.is_removed else ""
        return format_html('<a href="{}">{}</a>{}', url, value, removed)

    def render_network(self, value: str, record: Hotline) -> str:
        return record.network_label

    def render_status(self, value: str, record: Hotline) -> str:
        css = STATUS_BADGES.get(value, "badge-other")
        return format_html('<span class="badge {}">{}</span>', css, record.status_label)

    def render_is_free_charge(self, value: bool | None, record: Hotline | None = None) -> str:
        if value is None:
            return "—"
        word = _("Yes") if value else _("No")
        return format_html('<span class="yes-no yes-no-{}">{}</span>', "yes" if value else "no", word)

    def render_created_at(self, value: datetime | None, record: Hotline | None = None) -> str:
        return _when(value)

    def render_updated_at(self, value: datetime | None, record: Hotline | None = None) -> str:
        return _when(value)

    def render_last_changed_at(self, value: datetime | None, record: Hotline | None = None) -> str:
        return _when(value)

    def render_description(self, value: str, record: Hotline | None = None) -> str:
        return value if len(value) <= 120 else value[:119] + "…"


def columns_all() -> list[tuple[str, str]]:
    """Every column a person may show: (name, label)."""
    return [(name, str(HotlineTable.base_columns[name].verbose_name)) for name in COLUMN_FIELDS]


def columns_resolve(saved: Iterable[str] | None) -> list[str]:
    """The visible columns from a saved choice: known names only, `hotline` first; defaults if none."""
    if not saved:
        return list(DEFAULT_COLUMNS)
    names = [name for name in dict.fromkeys(saved) if name in COLUMN_FIELDS and name != FIXED_COLUMN]
    return [FIXED_COLUMN, *names]


def columns_fields(columns: Iterable[str]) -> list[str]:
    """The model fields the visible columns need."""
    return ["id", *dict.fromkeys(field for name in columns for field in COLUMN_FIELDS.get(name, ()))]
