"""Template filters of the browsing pages: status badges, change labels, grouped numbers, the payload."""

from __future__ import annotations

import json

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..choices import HotlineStatus, Network, label_for
from ..tables import STATUS_BADGES, number_html

register = template.Library()

FIELD_LABELS = {
    "hotline": _("Number"),
    "name": _("Name"),
    "description": _("Description"),
    "network": _("Network"),
    "status": _("Status"),
    "is_free_charge": _("Free of charge"),
    "upstream_connection_id": _("Connection ID"),
    "connection_method": _("Connection method"),
    "owner_id": _("Owner ID"),
}


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
    return label_for(HotlineStatus, status)


@register.filter
def change_field_label(field: str) -> str:
    return str(FIELD_LABELS.get(field, field))


def _value(field: str, value: str) -> str:
    if value == "":
        return "—"
    if field == "status":
        return label_for(HotlineStatus, value)
    if field == "network":
        return label_for(Network, value)
    if field == "is_free_charge":
        return gettext("Yes") if value == "true" else gettext("No") if value == "false" else value
    return value


@register.filter
def change_old(change) -> str:
    """The value before a change, in words (status and network by their labels)."""
    return _value(change.field, change.old_value)


@register.filter
def change_new(change) -> str:
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
