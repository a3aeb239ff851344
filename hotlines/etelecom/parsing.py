"""Reading one field of an eTelecom payload as its registry declares it: IDs as exact int64
digits, bounded text, sane date-times, bounded nesting. Shared by every list's item type."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from ..hotline_fields import BOOL, DATETIME, ID, LONG_TEXT, HotlineField
from .exceptions import BadPayload

# IDs are string<int64>: ASCII digits only (`\d` would take "١٢٣" or "²"), and within int64.
_ID_RE = re.compile(r"[0-9]{1,19}", re.ASCII)
INT64_MAX = 2**63 - 1
# No hotline was created before 1970 or will be updated after 2100: outside is a broken upstream
# (and 0001-01-01T00:00:00+14:00 cannot even be converted to UTC).
YEAR_RANGE = (1970, 2100)
# A hotline's or tenant's payload is flat (scalar fields); nested values are kept in `raw` as
# received, but deeper than this is not an eTelecom object, and would strain every JSON encoder after us.
MAX_RAW_DEPTH = 16
_CONTAINERS = (dict, list)
_SCALARS = frozenset({str, int, float, bool, type(None)})  # what a flat item's values are


def read_text(
    item: dict,
    key: str,
    where: str,
    max_len: int = 10_000,
    numbers: bool = True,
    strip: bool = False,
    required: bool = False,
) -> str:
    """A text field: numbers taken as their digits (floats refused), bounded, NULs dropped."""
    value = item.get(key)
    if value.__class__ is str and len(value) <= max_len and "\x00" not in value:  # nearly always
        if strip:
            value = value.strip()
        if value or not required:
            return value
    if value is None:
        value = ""
    else:
        if numbers and isinstance(value, (int, float)) and not isinstance(value, bool):
            # Some gateways send numbers for int64 fields; keep ints exact, refuse floats (precision is gone).
            if isinstance(value, float):
                raise BadPayload(f"{where}: field '{key}' is a floating-point number, so its exact value is lost")
            value = str(value)
        if not isinstance(value, str):
            raise BadPayload(f"{where}: field '{key}' should be text, got {type(value).__name__}")
        if len(value) > max_len:
            raise BadPayload(f"{where}: field '{key}' is {len(value):,} characters long")
        value = value.replace("\x00", "")
        if strip:
            value = value.strip()
    if required and not value:
        raise BadPayload(f"{where}: field '{key}' is missing")
    return value


def read_int64(item: dict, key: str, where: str, required: bool = False) -> str:
    """An ID: a non-negative 64-bit integer, as ASCII digits (kept as the exact text received)."""
    value = item.get(key)
    if value.__class__ is str and _ID_RE.fullmatch(value) and (len(value) < 19 or int(value) <= INT64_MAX):
        return value  # nearly always: the checks below, in one step
    value = read_text(item, key, where=where, max_len=32).strip()
    if not value:
        if required:
            raise BadPayload(f"{where}: field '{key}' is missing")
        return ""
    if not _ID_RE.fullmatch(value):
        raise BadPayload(f"{where}: field '{key}' should be an ID made of the digits 0-9, got {value[:40]!r}")
    if int(value) > INT64_MAX:
        raise BadPayload(f"{where}: field '{key}' is beyond the 64-bit range, got {value[:40]!r}")
    return value


def read_datetime(item: dict, key: str, where: str) -> datetime | None:
    """An RFC 3339 date-time with a time zone, within YEAR_RANGE, or None when absent."""
    value = item.get(key)
    if value in (None, ""):
        return None
    if value.__class__ is str:  # nearly always RFC 3339 with a zone ("Z" too) in a sane year
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            pass  # the checks below say what is wrong with it
        else:
            # A year strictly inside the range stays inside it once converted to UTC.
            if parsed.tzinfo is not None and YEAR_RANGE[0] < parsed.year < YEAR_RANGE[1]:
                return parsed
    if not isinstance(value, str):
        raise BadPayload(f"{where}: field '{key}' should be an RFC 3339 date-time")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        raise BadPayload(f"{where}: field '{key}' is not a date-time: {value[:40]!r}") from exc
    if parsed.tzinfo is None:
        raise BadPayload(f"{where}: field '{key}' has no time zone: {value[:40]!r}")
    try:
        year = parsed.astimezone(UTC).year
    except (OverflowError, ValueError):
        year = 0  # beyond what a datetime holds once converted to UTC
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise BadPayload(f"{where}: field '{key}' is outside the years {YEAR_RANGE[0]}-{YEAR_RANGE[1]}: {value[:40]!r}")
    return parsed


def _depth_exceeds(value: Any, limit: int) -> bool:
    """True when `value` nests containers more than `limit` levels deep (without recursing)."""
    stack = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if depth > limit:
            return True
        children = current.values() if isinstance(current, dict) else current
        stack.extend((child, depth + 1) for child in children if isinstance(child, _CONTAINERS))
    return False


def check_nesting(item: dict, *, where: str) -> None:
    """BadPayload when a field of an item nests deeper than MAX_RAW_DEPTH."""
    if _SCALARS.issuperset(map(type, item.values())):
        return  # flat, as eTelecom's items are
    for key, value in item.items():
        if isinstance(value, _CONTAINERS) and _depth_exceeds(value, MAX_RAW_DEPTH - 1):
            raise BadPayload(f"{where}: field {str(key)[:40]!r} is nested more than {MAX_RAW_DEPTH} levels deep")


def read_bool(item: dict, key: str, where: str) -> bool | None:
    """A boolean field, already checked to be a boolean or absent."""
    return item.get(key)  # checked first, as its error names no ID


def field_parser(field: HotlineField) -> tuple[Callable[..., Any], str, tuple]:
    """How one payload field is read, from its kind in the registry: (reader, key, the reader's
    arguments after `where`), positional as a page calls it for every item."""
    if field.kind == ID:
        reader, options = read_int64, (field.required,)
    elif field.kind == DATETIME:
        reader, options = read_datetime, ()
    elif field.kind == BOOL:
        reader, options = read_bool, ()
    else:
        reader, options = read_text, (field.max_length, field.kind != LONG_TEXT, field.stripped, field.required)
    return reader, field.api_name, options
