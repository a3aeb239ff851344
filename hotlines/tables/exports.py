"""The Exports tables (every export, and a person's own) and how a recorded export reads:
its filters and columns in the list's own words, its status as a badge."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..choices import HotlineStatus, Network, label_for
from ..dates import WhenColumn
from ..filtersets import HotlineFilterSet, TenantFilterSet
from ..models import ExportKind, ExportRecord, ExportStatus
from ..services import exports


def describe_filters(params: dict, kind: str = ExportKind.HOTLINES) -> str:
    """A recorded query in words, with the list's own labels: `Status: Enabled, Disabled · Network:
    Viettel · Sorted by: Name (descending)`. Parameters it does not know are shown as received."""
    enums = {"status": HotlineStatus, "network": Network}
    tenants = kind == ExportKind.TENANTS
    filters = (TenantFilterSet if tenants else HotlineFilterSet).base_filters
    parts = []
    for key, values in params.items():
        values = [str(value) for value in (values if isinstance(values, list) else [values])]
        if key == "sort":
            sorts = ", ".join(_describe_sort(v, kind) for v in values)
            parts.append(_("Sorted by: %(columns)s") % {"columns": sorts})
            continue
        found = filters.get(key)
        title = found.label if found is not None and found.label else key
        shown = [label_for(enums[key], value) for value in values] if key in enums else values
        parts.append(f"{title}: {', '.join(shown)}")
    return " · ".join(parts) or (_("all tenants") if tenants else _("all hotlines"))


def _describe_sort(value: str, kind: str) -> str:
    name = value.removeprefix("-")
    column = exports.export_column_titles(kind=kind).get(name)
    title = column.title if column is not None else name
    return _("%(column)s (descending)") % {"column": title} if value.startswith("-") else title


def describe_columns(keys: list, kind: str = ExportKind.HOTLINES) -> str:
    """Recorded column keys as the headers the file has."""
    columns = exports.export_column_titles(kind=kind)
    return ", ".join(columns[key].title if key in columns else str(key) for key in keys)


def export_status_badge(record: ExportRecord) -> str:
    """An export's status as the same coloured badge on every page that shows it (the progress
    page, My exports, the admins' list): a background file no longer kept reads "Expired"."""
    if record.background and record.status == ExportStatus.DONE and not exports.export_is_available(record=record):
        return format_html('<span class="badge badge-removed">{}</span>', _("Expired"))
    return format_html(
        '<span class="badge badge-export-{}" title="{}">{}</span>',
        record.status,
        record.error,
        record.get_status_display(),
    )


class ExportRecordTable(tables.Table):
    label = gettext_lazy("Exports")
    """Every export: who, when, what and how many."""

    created_at = WhenColumn(verbose_name=gettext_lazy("Requested"))
    username = tables.Column(verbose_name=gettext_lazy("User"))
    kind = tables.Column(verbose_name=gettext_lazy("List"))
    format = tables.Column(verbose_name=gettext_lazy("Format"))
    row_count = tables.Column(verbose_name=gettext_lazy("Rows"), attrs={"td": {"class": "num"}})
    filters = tables.Column(verbose_name=gettext_lazy("Filters"), orderable=False)
    columns = tables.Column(verbose_name=gettext_lazy("Columns"), orderable=False)
    background = tables.BooleanColumn(verbose_name=gettext_lazy("In background"))
    status = tables.Column(verbose_name=gettext_lazy("Status"))
    finished_at = WhenColumn(verbose_name=gettext_lazy("Finished"))

    class Meta:
        model = ExportRecord
        fields = ("created_at", "username", "kind", "format", "row_count", "filters", "columns", "background", "status")
        sequence = (*fields, "finished_at")
        order_by = ("-created_at",)
        attrs = {"class": "table", "id": "export-table"}
        empty_text = gettext_lazy("No export yet.")
        default = "—"

    def render_row_count(self, value: int) -> str:
        return number_format(value, force_grouping=True)

    def render_filters(self, value: dict, record: ExportRecord) -> str:
        return describe_filters(value, record.kind)

    def render_columns(self, value: list, record: ExportRecord) -> str:
        return describe_columns(value, record.kind)

    def render_status(self, value: str, record: ExportRecord) -> str:
        return export_status_badge(record)

    def order_row_count(self, queryset, is_descending: bool):
        return queryset.order_by(("-" if is_descending else "") + "row_count", "-id"), True


class MyExportTable(ExportRecordTable):
    """The signed-in person's exports, with their download links."""

    label = gettext_lazy("My exports")

    download = tables.Column(verbose_name=gettext_lazy("File"), accessor="pk", orderable=False)

    class Meta(ExportRecordTable.Meta):
        fields = ("created_at", "kind", "format", "row_count", "filters", "status")
        sequence = (*fields, "download")
        exclude = ("username", "columns", "background", "finished_at")

    def render_download(self, value: int, record: ExportRecord) -> str:
        if exports.export_is_available(record=record):
            return format_html(
                '<a href="{}" download>{}</a>', reverse("hotlines:export-download", args=[value]), record.filename
            )
        if record.background and record.status in exports.IN_FLIGHT:
            return format_html(
                '<a href="{}">{}</a>', reverse("hotlines:export-detail", args=[value]), _("See progress")
            )
        return "—"
