"""The hotline list's filter panel, its repeated parts written in Python: the facet checkboxes,
one field's filter and a date range. Each writes the same characters as the template it stands
for (`facet_groups.html`, `filter_field.html`, `date_range.html`, kept as their reference; a test
renders both ways): those loops and includes were an eighth of the list page's CPU.
"""

from __future__ import annotations

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.forms import BoundField
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

register = template.Library()


def _count(value: int | None) -> str:
    return "…" if value is None else conditional_escape(intcomma(value))


@register.simple_tag
def facet_fieldsets(groups: list[dict]) -> SafeString:
    """facet_groups.html: each facet (list_page.facet_group) as a fieldset of ticks with counts."""
    parts = []
    for group in groups:
        name = conditional_escape(group["name"])
        parts.append(
            f'\n  <fieldset class="filter-group">\n    <legend>{conditional_escape(group["label"])} '
            f'<span class="facet-all muted">(<span id="facet-{name}-all">{_count(group["total"])}</span>)</span>'
            "</legend>\n    "
        )
        for index, choice in enumerate(group["choices"]):
            checked = " checked" if choice["checked"] else ""
            parts.append(
                f'\n      <label class="check facet" for="id_{name}_{index}">\n'
                f'        <input type="checkbox" name="{name}" value="{conditional_escape(choice["value"])}" '
                f'id="id_{name}_{index}"{checked}>\n'
                f'        <span class="facet-label">{conditional_escape(choice["label"])}</span>\n'
                f'        <span class="facet-count" id="facet-{name}-{index}">{_count(choice["count"])}</span>\n'
                "      </label>\n    "
            )
        parts.append("\n  </fieldset>\n  ")
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped above


@register.simple_tag
def filter_field(field: BoundField, label: str, hint: str = "") -> SafeString:
    """filter_field.html: one field's filter, its label and an optional hint."""
    hint_html = f'<p class="hint">{conditional_escape(hint)}</p>' if hint else ""
    return mark_safe(  # noqa: S308 - every value escaped (the widget is Django's safe HTML)
        f'\n<div class="filter-group">\n  <label for="{conditional_escape(field.auto_id)}" class="filter-label">'
        f"{conditional_escape(label)}</label>\n  {conditional_escape(field)}\n  {hint_html}\n</div>\n"
    )


@register.simple_tag
def date_range(legend: str, after: BoundField, before: BoundField) -> SafeString:
    """date_range.html: a date filter's "from" and "until" days."""
    return mark_safe(  # noqa: S308 - every value escaped (the widgets are Django's safe HTML)
        f'\n\n<fieldset class="filter-group">\n  <legend>{conditional_escape(legend)}</legend>\n'
        f'  <div class="date-range">\n'
        f'    <label for="{conditional_escape(after.id_for_label)}">{conditional_escape(gettext("from"))}</label>'
        f"{conditional_escape(after)}\n"
        f'    <label for="{conditional_escape(before.id_for_label)}">{conditional_escape(gettext("until"))}</label>'
        f"{conditional_escape(before)}\n  </div>\n</fieldset>\n"
    )
