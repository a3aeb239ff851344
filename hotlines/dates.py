"""How the dashboard writes a moment: one format per language (etelecom_admin/formats), in the
configured time zone, inside `<time datetime="ISO">` for machines. Templates use the `when`
filter (hotlines/templatetags/dates.py), tables a `WhenColumn`."""

from __future__ import annotations

from datetime import UTC, date, datetime

import django_tables2 as tables
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString


def when_text(value: datetime | date) -> str:
    """A moment (local time) or a day in the active language's one format."""
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return date_format(local, "DATETIME_FORMAT")
    return date_format(value, "DATE_FORMAT")


def when_html(value: datetime | date | None) -> SafeString | str:
    """`<time datetime="2026-10-29T08:50:00Z">29 Oct 2026, 15:50</time>`, or "—" for no value."""
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime) and timezone.is_aware(value):
        stamp = value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    elif isinstance(value, datetime):
        stamp = value.isoformat(timespec="seconds")
    else:
        stamp = value.isoformat()
    return format_html('<time datetime="{}">{}</time>', stamp, when_text(value))


class WhenColumn(tables.Column):
    """A date-time column in the dashboard's one format (django-tables2's DateTimeColumn takes
    a fixed format string, which is how ISO dates ended up on some pages)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("attrs", {"td": {"class": "nowrap"}})
        super().__init__(*args, **kwargs)

    def render(self, value):
        return when_html(value)
