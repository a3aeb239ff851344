"""The `when` filter: a date or date-time in the dashboard's one format, as `<time>`."""

from __future__ import annotations

from django import template

from ..dates import when_html

register = template.Library()


@register.filter
def when(value):
    """`{{ moment|when }}`: `<time datetime="ISO">29 Oct 2026, 15:50</time>`, or "—"."""
    return when_html(value)
