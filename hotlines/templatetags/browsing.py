"""Template filters of the browsing pages: status badges, change labels, grouped numbers, the payload."""

from __future__ import annotations

import json

from django import template
from django.http import QueryDict
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from .. import tenant_fields
from ..choices import HotlineStatus, Network, label_for
from ..hotline_fields import BOOL, FIELDS, NETWORK, STATUS, TRACKED_FIELDS
from ..tables import STATUS_BADGES, number_html
from ..tables.base import links_query, sort_options_html
from ..tables.page_links import page_links_html

register = template.Library()

# The history's words for the fields it records (a tenant's too: its domain; shared names agree).
FIELD_LABELS = {
    **{field.name: field.change_label for field in tenant_fields.TRACKED_FIELDS},
    **{field.name: field.change_label for field in TRACKED_FIELDS},
}


@register.simple_tag(takes_context=True)
def page_links(context) -> SafeString | None:
    """The table's page links written in Python (tables/page_links.py); None without a request,
    when pagination.html writes them with its own loop."""
    request, table = context.get("request"), context.get("table")
    if request is None or table is None:
        return None
    # The list page's canonical query where it has one, else the request's own (as `querystring`).
    html = page_links_html(table, links_query(table, request), oob=bool(context.get("oob_pagination")))
    return None if html is None else mark_safe(html)  # noqa: S308 - every value escaped where written


@register.simple_tag(name="sort_options")
def sort_options_tag(table, sort) -> SafeString:
    """`{% sort_options table sort %}`: the options of the phone's Sort select."""
    return sort_options_html(table, sort or "")


@register.filter(name="links_query")
def links_query_filter(table, request) -> QueryDict:
    """`{% querystring table|links_query:request … %}`: the query a table's links carry."""
    return links_query(table, request)


@register.filter
def status_badge(status: str) -> str:
    """The badge class of a status."""
    return STATUS_BADGES.get(status, "badge-other")


@register.filter
def grouped_number(number: str) -> str:
    """A hotline number as the list shows it: in its groups, copied as plain digits."""
    return number_html(number or "")


@register.filter
def status_label(status: str) -> str:
    """A status in words."""
    return label_for(HotlineStatus, status)


@register.filter
def change_field_label(field: str) -> str:
    """How the history names a field (its name itself when the registry does not track it)."""
    return str(FIELD_LABELS.get(field, field))


def _value(field: str, value: str) -> str:
    if value == "":
        return "—"
    kind = FIELDS[field].kind if field in FIELDS else None
    if kind == STATUS:
        return label_for(HotlineStatus, value)
    if kind == NETWORK:
        return label_for(Network, value)
    if kind == BOOL:
        return gettext("Yes") if value == "true" else gettext("No") if value == "false" else value
    return value


@register.filter
def change_old(change) -> str:
    """The value before a change, in words (status and network by their labels)."""
    return _value(change.field, change.old_value)


@register.filter
def change_new(change) -> str:
    """The value after a change, in words."""
    return _value(change.field, change.new_value)


@register.simple_tag
def change_values(change, *, plain: bool = False) -> str:
    """A changed field as "label: old → new", marked up (label, old and new styled) unless `plain`."""
    label, old, new = change_field_label(change.field), change_old(change), change_new(change)
    if plain:
        return format_html("{}: {} → {}", label, old, new)
    marked = '<strong>{}</strong>: <span class="old">{}</span> → <span class="new">{}</span>'
    return format_html(marked, label, old, new)


@register.filter
def pretty_json(value) -> str:
    """The payload indented, with non-ASCII text kept readable (autoescaped by the template)."""
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False)
