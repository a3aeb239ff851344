"""What every list's table shares: the site's table class, a paginator told its count, and the
browsing lists' one-pass rows. The generic template
(templates/includes/table.html) names each table's region by its `label`."""

from __future__ import annotations

import copy
from functools import cached_property
from typing import Any
from urllib.parse import quote

import django_tables2 as tables
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, QueryDict
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from ..process_memo import ProcessMemo


class CountedPage(Page):
    """A page whose length follows from the paginator's count: `{% if table.page %}` in a
    template would otherwise read the page's rows a second time (as model instances) when the
    table rendered them from plain rows."""

    def __len__(self) -> int:
        paginator = self.paginator
        bottom = (self.number - 1) * paginator.per_page
        top = bottom + paginator.per_page
        if top + paginator.orphans >= paginator.count:
            top = paginator.count
        return max(top - bottom, 0)


class CountedPaginator(Paginator):
    """A paginator told its count (cached per data version) instead of running COUNT(*) itself."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count

    def _get_page(self, *args, **kwargs) -> CountedPage:
        return CountedPage(*args, **kwargs)


class ColumnsCopiedShallow(dict):
    """A table class's columns, which django-tables2 deep-copies for every table it makes
    (`copy.deepcopy(base_columns)`) so that one request's changes never reach the next: here each
    column is copied, but not what it holds (labels, attributes, accessors), which a table only
    reads; what it changes per request are a column's own flags (`visible`, by `columns.hide`).
    The deep copy of a dozen columns and their lazy labels was a tenth of a list page's time."""

    def __deepcopy__(self, memo: dict) -> dict:
        return {name: copy.copy(column) for name, column in self.items()}


def columns_copied_shallow[T: type[tables.Table]](table_class: T) -> T:
    """`table_class` with its columns copied shallowly per table (`ColumnsCopiedShallow`)."""
    table_class.base_columns = ColumnsCopiedShallow(table_class.base_columns)
    return table_class


def links_fit(table: tables.Table, query: QueryDict) -> None:
    """Point a table's links at the list's canonical `query`: its sort and page links carry it, and
    its detail links lead back to it (`?back=`)."""
    table.list_query = query
    table.back = quote(query.urlencode())


def links_query(table: tables.Table, request: HttpRequest) -> QueryDict:
    """The query a table's sort and page links carry: the list's canonical query when the list
    page gave it one (`configure`), else the request's own (as `{% querystring %}` alone does).
    Not the request's own on a list page: the answer to an htmx filter form holds every field of
    the form, the empty ones included, and a value the page set aside (an unknown parameter, a sort
    it does not have) would come back with every link, and its note with every page."""
    query = getattr(table, "list_query", None)
    return request.GET if query is None else query


# {(language, table class, its shown sortable columns): its orders' (value, label)}: the labels
# cost more than the rest of the select, and a table's columns are a person's few chosen sets.
SORT_LABELS_KEPT = 512
_sort_labels: ProcessMemo[tuple[str, type, tuple[str, ...]], tuple[tuple[str, str], ...]] = ProcessMemo(
    SORT_LABELS_KEPT
)


def sort_choices(table: tables.Table, sort: str) -> list[tuple[str, str, bool]]:
    """(value, label, selected) of every order a list offers: its default order, then each shown
    column that sorts, ascending and descending, in the order the header row shows them. A phone
    hides that header row, whose links sort; a select of these sorts there instead. A sort by a
    column the person hid (a shared link) is offered too, so the select shows what is in use."""
    names = tuple(column.name for column in table.columns if column.orderable)
    offered = _sort_labels.get_or_make(
        (get_language() or "", type(table), names),
        lambda: (
            ("", gettext("Newest first (default)")),
            *(pair for name in names for pair in _sort_pair(name, str(table.columns[name].header))),
        ),
    )
    choices = [(value, label, value == sort) for value, label in offered]
    name = sort.removeprefix("-")
    if sort and name not in names:
        column = table.base_columns.get(name)
        header = column.verbose_name if column is not None and column.verbose_name else name
        choices += [(value, label, value == sort) for value, label in _sort_pair(name, str(header))]
    return choices


def sort_options_html(table: tables.Table, sort: str) -> SafeString:
    """The Sort select's options (`sort_choices`), written here rather than by a template loop:
    a loop over a tenant table's 27 orders was a tenth of the Tenants page's time."""
    return mark_safe(  # noqa: S308 - values and labels escaped here
        "".join(
            f'<option value="{conditional_escape(value)}"{" selected" if selected else ""}>'
            f"{conditional_escape(label)}</option>"
            for value, label, selected in sort_choices(table, sort)
        )
    )


def _sort_pair(name: str, header: str) -> tuple[tuple[str, str], ...]:
    return (
        (name, gettext("%(column)s (ascending)") % {"column": header}),
        (f"-{name}", gettext("%(column)s (descending)") % {"column": header}),
    )


class ListTable(tables.Table):
    """A list's table; its Meta subclasses `ListTable.Meta` to keep the shared options."""

    label = ""
    list_query: QueryDict | None = None  # what its links carry (`links_query`)

    class Meta:
        attrs = {"class": "table"}


class PagedListTable(ListTable):
    """A browsing list's table (tenants): told its page and count by the list page, its rows
    rendered in one pass (see `rows_html`). Subclasses set `few_values` and `always_rendered`."""

    few_values: frozenset[str] = frozenset()  # columns of a handful of values: rendered once per value
    always_rendered: frozenset[str] = frozenset()  # their render shows something even for an empty value
    back = ""

    def configure(
        self, request: HttpRequest, *, page: int, per_page: int, count: int, query: QueryDict
    ) -> PagedListTable:
        """Fit the table to one request (NetBox's `BaseTable.configure`): the page asked for among
        `count` rows (counted elsewhere, so no COUNT(*) here), detail links that lead back to the
        list as shown, and sort and page links that carry its canonical `query`."""
        self.request = request
        links_fit(self, query)
        self.paginate(paginator_class=CountedPaginator, per_page=per_page, page=page, count=count)
        return self

    def headers_html(self) -> SafeString:
        """The header row's cells, as `includes/table.html` with `includes/sort_header.html`
        writes them (character for character, tests compare them): thirteen template includes
        with a `querystring` each were a tenth of the Tenants page's time."""
        request = getattr(self, "request", None)
        if request is None:
            return mark_safe("")  # not fitted to a request: the template writes the headers
        query = links_query(self, request)
        cells = []
        for column in self.columns:
            ordered = column.is_ordered
            aria = ""
            if ordered:
                aria = 'aria-sort="{}"'.format("descending" if column.order_by_alias.is_descending else "ascending")
            header = conditional_escape(column.header)
            if column.orderable:
                link = QueryDict(mutable=True)
                for key, values in query.lists():
                    link.setlist(key, values)
                link["sort"] = column.order_by_alias.next
                link.pop("page", None)
                href = conditional_escape("?" + (link.urlencode() if link else ""))
                icon = ("▼" if column.order_by_alias.is_descending else "▲") if ordered else "↕"
                inner = (
                    f'\n              <a href="{href}" class="sort-link">\n                {header}\n'
                    f'                <span class="sort-icon" aria-hidden="true">{icon}</span>\n              </a>\n'
                    "            \n"
                )
            else:
                inner = f"{header}\n"
            css = conditional_escape(column.name) + (" sorted" if ordered else "")
            cells.append(
                f'\n          <th scope="col" class="col-{css}"\n              {aria}>\n            {inner}'
                "\n          </th>\n        "
            )
        return mark_safe("\n        " + "".join(cells))  # noqa: S308 - names, headers and links escaped

    def cell_value(self, record: Any, name: str) -> Any:
        """The value a column shows for a record (its attribute of the same name by default)."""
        return getattr(record, name)

    def rows_html(self) -> SafeString:
        """The page's rows as HTML, with the columns' `render_*` methods but without
        django-tables2's cell-by-cell path (~0.1 ms a cell: most of a page's server time)."""
        columns = []
        for column in self.columns:
            css = column.column.attrs.get("td", {}).get("class", "")
            opening = format_html(
                '<td{} data-label="{}">', format_html(' class="{}"', css) if css else "", column.header
            )
            render = getattr(self, f"render_{column.name}", None)
            columns.append((column.name, opening, render, {} if column.name in self.few_values else None))
        rows = []
        for record in self.page.object_list.data if hasattr(self, "page") else self.data:
            cells = []
            for name, opening, render, seen in columns:
                value = self.cell_value(record, name)
                html = seen.get(value) if seen is not None else None
                if html is None:
                    if render is not None and (value not in (None, "") or name in self.always_rendered):
                        html = conditional_escape(render(value=value, record=record))
                    else:
                        html = conditional_escape(value) if value not in (None, "") else "—"
                    if seen is not None:
                        seen[value] = html
                cells.append(f"{opening}{html}</td>")
            rows.append(f"<tr>{''.join(cells)}</tr>")
        if not rows:
            rows.append(format_html('<tr><td colspan="{}" class="empty">{}</td></tr>', len(columns), self.empty_text))
        return mark_safe("".join(rows))  # noqa: S308 - every piece above is escaped or built with format_html
