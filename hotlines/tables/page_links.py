"""A list's page links (`includes/pagination.html`) written in Python: the same characters as the
template's loop, which with a `{% querystring %}` and an `intcomma` per link was a twentieth of the
hotline list's CPU. The template keeps its loop as the reference (a test compares them) and for a
table rendered without a request."""

from __future__ import annotations

from django.contrib.humanize.templatetags.humanize import intcomma
from django.http import QueryDict
from django.utils.html import conditional_escape
from django.utils.translation import gettext
from django_tables2.templatetags.django_tables2 import table_page_range


def page_links_html(table, query: QueryDict, *, oob: bool) -> str:
    """The `<nav>` of `table`'s page links, each link `query` with its page, as pagination.html
    writes it between its `{% if %}` and `{% endif %}` ("" for a single page)."""
    page = getattr(table, "page", None)
    if not page or table.paginator.num_pages <= 1:
        return ""
    link = QueryDict(mutable=True)
    for key, values in query.lists():
        link.setlist(key, values)

    def href(number: int) -> str:
        link["page"] = number
        return conditional_escape(f"?{link.urlencode()}")

    parts = [
        f'\n  <nav class="pagination" id="pagination" aria-label="{conditional_escape(gettext("Pages"))}"',
        ' hx-swap-oob="true">' if oob else ">",
        "\n    ",
    ]
    if page.has_previous():
        previous = conditional_escape(gettext("Previous"))
        parts.append(f'\n      <a href="{href(page.previous_page_number())}" rel="prev">‹ {previous}</a>\n    ')
    parts.append("\n    ")
    for number in table_page_range(page, table.paginator):
        if number == "...":
            parts.append('\n      <span class="ellipsis">…</span>\n      \n    ')
        elif number == page.number:
            parts.append(f'\n      <span class="current" aria-current="page">{intcomma(number)}</span>\n      \n    ')
        else:
            parts.append(f'\n      <a href="{href(number)}">{intcomma(number)}</a>\n    ')
    parts.append("\n    ")
    if page.has_next():
        following = conditional_escape(gettext("Next"))
        parts.append(f'\n      <a href="{href(page.next_page_number())}" rel="next">{following} ›</a>\n    ')
    parts.append("\n    ")
    shown = conditional_escape(intcomma(page.number))
    if getattr(table, "count_pending", False):
        words = gettext("Page %(page)s") % {"page": shown}
        parts.append(f'<span class="page-of muted">{words}</span>\n    ')
    else:
        words = gettext("Page %(page)s of %(pages)s") % {
            "page": shown, "pages": conditional_escape(intcomma(table.paginator.num_pages))
        }  # fmt: skip
        parts.append(f'<span class="page-of muted">{words}</span>')
    parts.append("\n  </nav>\n")
    return "".join(parts)
