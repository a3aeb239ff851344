"""How the dashboard writes a moment: one format per language (etelecom_admin/formats), in the
configured time zone, inside `<time datetime="ISO">` for machines. Templates use the `when`
filter (hotlines/templatetags/dates.py), tables a `WhenColumn` (the hotline table `when_html`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import lru_cache

import django_tables2 as tables
from django.conf import settings
from django.utils import dateformat, timezone
from django.utils.dates import MONTHS_3
from django.utils.formats import date_format, get_format
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

# The format characters `when_html` writes itself (Django's meaning), as fields of one `str.format`
# over (the local moment, its month's abbreviation, its year's last two digits); any other
# character falls back to dateformat.
_FAST_FORMAT = {
    "d": "{0.day:02d}",
    "j": "{0.day}",
    "m": "{0.month:02d}",
    "n": "{0.month}",
    "M": "{1}",
    "Y": "{0.year:04d}",
    "y": "{2:02d}",
    "H": "{0.hour:02d}",
    "G": "{0.hour}",
    "i": "{0.minute:02d}",
    "s": "{0.second:02d}",
}


def when_text(value: datetime | date) -> str:
    """A moment (local time) or a day in the active language's one format."""
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return date_format(local, "DATETIME_FORMAT")
    return date_format(value, "DATE_FORMAT")


def when_log(value: datetime) -> str:
    """A moment for messages stored or logged in plain text (command output, a run's reason):
    local time to the second, the same in every language, since no one reads it in the page's."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")


@lru_cache(maxsize=16)
def _datetime_format(language: str) -> tuple[str, tuple[str, ...]] | None:
    """DATETIME_FORMAT of a language, compiled: (a `str.format` string, month abbreviations), or
    None when it uses a character `_FAST_FORMAT` does not know (then dateformat does the work).
    One `format` call per moment: a function per format character was twice as slow."""
    fmt = get_format("DATETIME_FORMAT", lang=language)
    if "\\" in fmt or any(ch.isalpha() and ch not in _FAST_FORMAT for ch in fmt):
        return None
    months = tuple(escape(str(MONTHS_3[month]).title()) for month in range(1, 13))  # as dateformat's `M`
    literal = {"{": "{{", "}": "}}"}
    return "".join(_FAST_FORMAT.get(ch) or literal.get(ch) or escape(ch) for ch in fmt), months


def _local_text(local: datetime, compiled: tuple[str, tuple[str, ...]]) -> str:
    """A local moment written in a compiled format (`_datetime_format`)."""
    fmt, months = compiled
    return fmt.format(local, months[local.month - 1], local.year % 100)


def _utc_stamp(value: datetime) -> str:
    """An aware moment for machines: `2026-10-29T08:50:00Z`. The database's are in UTC already."""
    utc = value if value.tzinfo is UTC else value.astimezone(UTC)
    return utc.isoformat(timespec="seconds").replace("+00:00", "Z")


def _aware_html(value: datetime) -> SafeString:
    """An aware moment as `<time>`. The hotline table shows a hundred or more per page; Django's
    `date_format` (a format lookup and a DateFormat per call) cost a third of the table's time, so
    the project's formats are compiled once per language (tests check the result is
    dateformat's, character for character)."""
    local = timezone.localtime(value)
    compiled = _datetime_format(get_language() or settings.LANGUAGE_CODE)
    if compiled is None:
        text = escape(dateformat.format(local, get_format("DATETIME_FORMAT")))
    else:
        text = _local_text(local, compiled)
    return mark_safe(f'<time datetime="{_utc_stamp(value)}">{text}</time>')  # noqa: S308 - digits, escaped separators and month names


def when_html_maker() -> Callable[[datetime | date | None], SafeString | str]:
    """`when_html` for many values at once (a table's date cells): the time zone and the
    language's compiled format are looked up once, not per value (each lookup reads the
    request's thread-local state), and each distinct moment is written once. The same HTML as
    `when_html` (tests compare them)."""
    zone = timezone.get_current_timezone()
    compiled = _datetime_format(get_language() or settings.LANGUAGE_CODE)
    if compiled is None:
        return when_html
    seen: dict[datetime | date | None, SafeString | str] = {}

    def make(value: datetime | date | None) -> SafeString | str:
        html = seen.get(value)
        if html is None:
            if isinstance(value, datetime) and value.utcoffset() is not None:  # aware
                text = _local_text(value.astimezone(zone), compiled)
                # As `_aware_html`; SafeString itself, not mark_safe (its lazy-string check per value).
                html = SafeString(f'<time datetime="{_utc_stamp(value)}">{text}</time>')
            else:
                html = when_html(value)
            seen[value] = html
        return html

    return make


def when_html(value: datetime | date | None) -> SafeString | str:
    """`<time datetime="2026-10-29T08:50:00Z">29 Oct 2026, 15:50</time>`, or "—" for no value."""
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime) and timezone.is_aware(value):
        return _aware_html(value)
    stamp = value.isoformat(timespec="seconds") if isinstance(value, datetime) else value.isoformat()
    return format_html('<time datetime="{}">{}</time>', stamp, when_text(value))


class WhenColumn(tables.Column):
    """A date-time column in the dashboard's one format (django-tables2's DateTimeColumn takes
    a fixed format string, which is how ISO dates ended up on some pages)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("attrs", {"td": {"class": "nowrap"}})
        super().__init__(*args, **kwargs)

    def render(self, value):
        return when_html(value)
