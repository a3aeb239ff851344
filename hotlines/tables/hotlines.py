"""The hotline list table (django-tables2): every column, which ones show, and in which order."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from html import escape as html_escape

import django_tables2 as tables
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from .. import hotline_fields
from ..choices import HotlineStatus
from ..columns import COLUMN_FIELDS, DEFAULT_COLUMNS, columns_resolve
from ..dates import when_html, when_html_maker
from ..models import Hotline, Tenant
from ..normalize import number_groups
from ..selectors.hotlines import HotlineRow, hotline_rows
from ..selectors.sort_plans import ids_first, live_total, sort_index_walked
from ..selectors.tenancy import owner_key
from .base import CountedPaginator, PagedListTable, columns_copied_shallow, links_fit
from .tenant_cells import tenant_cells

STATUS_BADGES = {
    HotlineStatus.ENABLED: "badge-enabled",
    HotlineStatus.DISABLED: "badge-disabled",
    HotlineStatus.NEW: "badge-new",
}
# Columns whose cells depend on the value alone and take few values: rendered once per value.
FEW_VALUES = {field.name for field in hotline_fields.LIST_COLUMNS if field.few_values}
# Their render shows something even for an empty value ("No tenant" for a hotline without one).
ALWAYS_RENDERED = {"hotline", "status", "network", "tenant_name", "tenant_domain"}
# Columns of moments: written by the page's date formatter (dates.when_html_maker).
DATE_COLUMNS = {field.name for field in hotline_fields.LIST_COLUMNS if field.kind == hotline_fields.DATETIME}
# Columns of the hotline's tenants: read for the whole page in one query (selectors/tenancy.py).
TENANT_COLUMNS = {field.name for field in hotline_fields.LIST_COLUMNS if field.kind == hotline_fields.TENANTS}
# What the tenant cells show of each tenant.
TENANT_CELL_FIELDS = ("name", "domain", "etelecom_id")
# The cells' classes by the field's kind: numbers and IDs in monospace, people's text wide.
CELL_CLASSES = {
    hotline_fields.NUMBER: "mono",
    hotline_fields.ID: "mono col-id",
    hotline_fields.LONG_TEXT: "col-wide",
    hotline_fields.TENANTS: "col-tenant",  # names people read: room for a short one on one line
    hotline_fields.DATETIME: "nowrap",
}


# IDs longer than this show their head shortened to an ellipsis and their tail in full (the tail is
# what tells eTelecom's 19-digit IDs apart); the whole ID stays in the text, so it copies whole.
LONG_ID = 12
LONG_ID_TAIL = 8


def number_html(number: str) -> SafeString:
    """A number in its Vietnamese groups ('0901 234 567') with no space between them in the text:
    CSS draws the gaps, so a person who selects and copies it gets the plain digits."""
    groups = number_groups(number)
    if len(groups) == 1:
        return conditional_escape(number)
    # Groups are digits alone (number_groups): nothing to escape. SafeString itself, not mark_safe,
    # whose lazy-string check cost as much as the rest, per number.
    spans = "".join(f"<span>{group}</span>" for group in groups)
    return SafeString(f'<span class="digits">{spans}</span>')


def long_id_html(value: str) -> SafeString:
    """A long ID shown as '11000…15838006' (its full value in the title and in the copied text)."""
    if len(value) <= LONG_ID:
        return conditional_escape(value)
    head, tail = value[:-LONG_ID_TAIL], value[-LONG_ID_TAIL:]
    return format_html(
        '<span class="long-id" title="{}"><span class="long-id-head">{}</span><span>{}</span></span>', value, head, tail
    )


def _detail_url_maker(name: str = "hotlines:detail", *, escaped: bool = False):
    """`get_absolute_url` without a `reverse()` per row: the URL of one ID, with the ID swapped (a
    page reverses 50 to 200 of them). `escaped`: HTML-escaped for an attribute (the site's part
    once, the ID being an integer)."""
    sample = reverse(name, args=[0])
    head, tail = sample.rsplit("/0/", 1) if sample.count("/0/") == 1 else (None, None)
    if head is None:
        return (lambda pk: _escape(reverse(name, args=[pk]))) if escaped else (lambda pk: reverse(name, args=[pk]))
    if escaped:
        head, tail = _escape(head), _escape(tail)
    return lambda pk: f"{head}/{int(pk)}/{tail}"


def _escape(text: str) -> str:
    """HTML-escaped text (&, <, >, " and ' as Django's `escape`), without its lazy-string checks."""
    return html_escape(str(text), quote=True)


def no_tenant_html() -> SafeString:
    """What a hotline without a tenant shows."""
    # Short in a cell under the Tenant header ("Không có" in Vietnamese), whole on hover.
    return format_html(
        '<span class="muted no-tenant" title="{}">{}</span>', _("No tenant"), pgettext("tenant cell", "No tenant")
    )


def _column(field: hotline_fields.HotlineField) -> tables.Column:
    """The list's column of a registry field; `id` breaks ties so paging is stable."""
    css = CELL_CLASSES.get(field.kind)
    return tables.Column(
        verbose_name=field.label,
        accessor=field.path or None,
        order_by=(field.query_path, "id"),
        orderable=field.sortable,
        attrs={"td": {"class": css}} if css else None,
    )


# The columns, one per registry field the list shows, in the column chooser's order.
_HotlineColumns = type(tables.Table)(
    "_HotlineColumns",
    (tables.Table,),
    {"__module__": __name__, **{field.name: _column(field) for field in hotline_fields.LIST_COLUMNS}},
)


@columns_copied_shallow  # one table per request: its columns copied shallowly
class HotlineTable(_HotlineColumns):
    """Every column sorts; `id` breaks ties so paging is stable."""

    class Meta:
        model = Hotline
        fields = ()
        sequence = DEFAULT_COLUMNS
        order_by = ("-created_at",)
        attrs = {"class": "table", "id": "hotline-table"}
        empty_text = _("No hotline matches these filters.")
        template_name = "hotlines/includes/table.html"  # its own: number cells, the list's query in sort links
        default = "—"

    def __init__(
        self, *args, back: str = "", columns: Iterable[str] | None = None, version: str | None = None, **kwargs
    ) -> None:
        visible = columns_resolve(columns)
        kwargs.setdefault("sequence", (*visible, "..."))
        super().__init__(*args, **kwargs)
        self.back = back
        self.version = version  # the data version the rows were counted under (the page's plan reads it)
        self._detail_href = _detail_url_maker(escaped=True)
        self._tenant_url = _detail_url_maker("hotlines:tenant-detail")
        for name in COLUMN_FIELDS:
            if name not in visible:
                self.columns.hide(name)

    def configure(
        self,
        request: HttpRequest,
        *,
        page: int,
        per_page: int,
        count: int,
        query: QueryDict,
        read: list | None = None,
    ) -> HotlineTable:
        """Fit the table to one request (NetBox's `BaseTable.configure`): the person's page size,
        the page asked for among `count` rows (counted elsewhere, so no COUNT(*) here), detail
        links that lead back to the list as shown, and sort and page links that carry its
        canonical `query`. The visible columns came from the same person's preference when the
        table was made: the queryset reads only their fields.
        `read`: the page's rows when read already (before its count): rendered without a query."""
        self.request = request  # not as an argument to paginate: that would paginate it a first time
        links_fit(self, query)
        offset = max(page - 1, 0) * per_page
        live = (lambda: live_total(self.version)) if self.version is not None else (lambda: None)
        if read is None:  # SQLite: sorted by name, the page may be read along the name's index
            self.data.data = sort_index_walked(self.data.data, count=count, offset=offset, limit=per_page, live=live)
        self.paginate(paginator_class=CountedPaginator, per_page=per_page, page=page, count=count)
        rows = self.page.object_list
        if read is not None:
            rows.data._result_cache = read
        else:  # PostgreSQL: a page filtered by facets alone reads its IDs from the sort's index first.
            rows.data = ids_first(rows.data, count=count, live=live)
        return self

    def headers_html(self) -> SafeString:
        """The header row as the template (with includes/sort_header.html per column) writes it,
        character for character: a dozen includes with a `querystring` each were ~3 ms of a page."""
        return PagedListTable.headers_html(self)

    def rows_html(self) -> SafeString:
        """The page's rows as HTML. Rendered here, with the same `render_*` methods, instead of cell
        by cell through django-tables2's generic path, which costs ~0.1 ms a cell (most of the
        page's server time at 200 rows); the header, sorting and paging stay django-tables2's.
        Columns of few values (status, network, free of charge) are rendered once per value."""
        columns = []
        for column in self.columns:
            css = column.column.attrs.get("td", {}).get("class", "")
            opening = format_html(
                '<td{} data-label="{}">', format_html(' class="{}"', css) if css else "", column.header
            )
            render = getattr(self, f"render_{column.name}", None)
            # Cells rendered once per value (few values); tenant cells once per owner (tenant_cells.py).
            memo = {} if column.name in FEW_VALUES else None
            columns.append((column.name, opening, render, memo))
        # Per page, not per cell: the date cells' format and zone, the "removed" badge, and the
        # detail links' list query (escaped once, not once a row).
        self._when = when_html_maker()
        self._removed = format_html(' <span class="badge badge-removed">{}</span>', _("removed"))
        self._back_html = _escape(f"?back={self.back}") if self.back else ""
        records = self.page_records()
        # The page's tenants in one query at most, whatever its rows (never one per row), and none
        # when this process rendered their cells before for the same tenant data (tenant_cells.py).
        self._no_tenant = no_tenant_html()
        renders = {name: render for name, _opening, render, _memo in columns if name in TENANT_COLUMNS}
        tenant_html = tenant_cells(records, renders=renders, fields=TENANT_CELL_FIELDS) if renders else {}
        cells = [(name, str(opening), render, memo, tenant_html.get(name)) for name, opening, render, memo in columns]
        when = self._when
        # One list of pieces for the whole body, joined once: plain strings, each escaped or made
        # with format_html above (an f-string over SafeStrings calls their __str__ for each piece).
        parts = []
        for record in records:
            parts.append("<tr>")
            for name, opening, render, seen, tenant in cells:
                parts.append(opening)
                if tenant is not None:
                    parts.append(tenant[owner_key(record)])
                    parts.append("</td>")
                    continue
                value = record.connection.name if name == "connection" else getattr(record, name)
                html = seen.get(value) if seen is not None else None
                if html is None:
                    if name in DATE_COLUMNS:  # straight from the page's formatter (as their render_* do)
                        html = when(value) if value not in (None, "") else "—"
                    elif render is not None and (value not in (None, "") or name in ALWAYS_RENDERED):
                        html = render(value=value, record=record)
                        if type(html) is not SafeString:
                            html = conditional_escape(html)
                    else:
                        html = conditional_escape(value) if value not in (None, "") else "—"
                    if seen is not None:
                        seen[value] = html
                parts.append(html)
                parts.append("</td>")
            parts.append("</tr>")
        if not parts:
            return format_html('<tr><td colspan="{}" class="empty">{}</td></tr>', len(columns), self.empty_text)
        return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped or built with format_html

    def page_records(self) -> list[HotlineRow] | list[Hotline]:
        """The page's rows: read as plain values (`hotline_rows`), or as the page read them
        already (before its count, `listing.paged_table_uncounted`)."""
        if not hasattr(self, "page"):
            return list(self.data)
        rows = self.page.object_list.data
        return list(rows) if rows._result_cache is not None else hotline_rows(rows)

    def render_hotline(self, value: str, record: Hotline) -> str:
        # f-strings over escaped text, as format_html writes it without its lazy-string checks. The
        # URL's path is the site's own with an integer in it; its list query is escaped once a page.
        back = getattr(self, "_back_html", None)
        if back is None:
            back = _escape(f"?back={self.back}") if self.back else ""
        removed = ""
        if record.is_removed:
            removed = getattr(self, "_removed", None) or format_html(
                ' <span class="badge badge-removed">{}</span>', _("removed")
            )
        return SafeString(f'<a href="{self._detail_href(record.pk)}{back}">{number_html(value)}</a>{removed}')

    def render_name(self, value: str, record: Hotline | None = None) -> str:
        # Two lines at most (CSS clamps it), the whole name on hover and on the detail page.
        text = _escape(value)
        return SafeString(f'<span class="clamp-2" title="{text}">{text}</span>')  # escaped

    def render_tenant_name(self, value: list[Tenant], record: Hotline | None = None) -> str:
        # Every tenant of the owner (usually one), each a link to its page; the whole name on hover.
        # Plain f-strings over escaped text: format_html's lazy checks cost a tenth of the page.
        if not value:
            return self._no_tenant
        links = "".join(
            f'<a href="{self._tenant_url(tenant.pk)}" class="tenant-link"><span class="clamp-2" '
            f'title="{_escape(tenant.name)}">{_escape(tenant.name or tenant.domain or tenant.etelecom_id)}</span></a>'
            for tenant in value
        )
        return mark_safe(f'<span class="tenant-list">{links}</span>')  # noqa: S308 - every value escaped above

    def render_tenant_domain(self, value: list[Tenant], record: Hotline | None = None) -> str:
        if not value:
            return self._no_tenant
        domains = "".join(f'<span class="tenant-domain">{_escape(tenant.domain or "—")}</span>' for tenant in value)
        return mark_safe(f'<span class="tenant-list">{domains}</span>')  # noqa: S308 - every value escaped above

    def render_owner_id(self, value: str, record: Hotline | None = None) -> str:
        return long_id_html(value)

    def render_etelecom_id(self, value: str, record: Hotline | None = None) -> str:
        return long_id_html(value)

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
        return (getattr(self, "_when", None) or when_html)(value)

    def render_updated_at(self, value: datetime | None, record: Hotline | None = None) -> str:
        return (getattr(self, "_when", None) or when_html)(value)

    def render_last_changed_at(self, value: datetime | None, record: Hotline | None = None) -> str:
        return (getattr(self, "_when", None) or when_html)(value)

    def render_description(self, value: str, record: Hotline | None = None) -> str:
        return value if len(value) <= 120 else value[:119] + "…"


def columns_all() -> list[tuple[str, str]]:
    """Every column a person may show: (name, label)."""
    return [(name, str(HotlineTable.base_columns[name].verbose_name)) for name in COLUMN_FIELDS]
