"""Typed, validated views of eTelecom payloads (frozen dataclasses, never raw dicts)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .. import tenant_fields
from ..hotline_fields import API_FIELDS, BOOL, DATETIME, ID, LONG_TEXT, UPSTREAM_KEY, HotlineField
from .exceptions import BadPayload

# IDs are string<int64>: ASCII digits only (`\d` would take "١٢٣" or "²"), and within int64.
_ID_RE = re.compile(r"[0-9]{1,19}", re.ASCII)
INT64_MAX = 2**63 - 1
# No hotline was created before 1970 or will be updated after 2100: outside is a broken upstream
# (and 0001-01-01T00:00:00+14:00 cannot even be converted to UTC).
YEAR_RANGE = (1970, 2100)
# A hotline's payload is flat (12 scalar fields); nested values are kept in `raw` as received,
# but deeper than this is not an eTelecom hotline, and would strain every JSON encoder after us.
MAX_RAW_DEPTH = 16
_CONTAINERS = (dict, list)


def _text(
    item: dict,
    key: str,
    where: str,
    max_len: int = 10_000,
    numbers: bool = True,
    strip: bool = False,
    required: bool = False,
) -> str:
    value = item.get(key)
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


def _int64(item: dict, key: str, where: str, required: bool = False) -> str:
    """An ID: a non-negative 64-bit integer, as ASCII digits (kept as the exact text received)."""
    value = _text(item, key, where=where, max_len=32).strip()
    if not value:
        if required:
            raise BadPayload(f"{where}: field '{key}' is missing")
        return ""
    if not _ID_RE.fullmatch(value):
        raise BadPayload(f"{where}: field '{key}' should be an ID made of the digits 0-9, got {value[:40]!r}")
    if int(value) > INT64_MAX:
        raise BadPayload(f"{where}: field '{key}' is beyond the 64-bit range, got {value[:40]!r}")
    return value


def _datetime(item: dict, key: str, where: str) -> datetime | None:
    value = item.get(key)
    if value in (None, ""):
        return None
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


def _check_nesting(item: dict, *, where: str) -> None:
    for key, value in item.items():
        if isinstance(value, _CONTAINERS) and _depth_exceeds(value, MAX_RAW_DEPTH - 1):
            raise BadPayload(f"{where}: field {str(key)[:40]!r} is nested more than {MAX_RAW_DEPTH} levels deep")


@dataclass(frozen=True, slots=True)
class Hotline:
    """One hotline as eTelecom describes it. Unknown enum values are kept as received."""

    id: str
    hotline: str
    name: str
    description: str
    network: str
    status: str
    is_free_charge: bool | None
    connection_id: str
    connection_method: str
    owner_id: str
    created_at: datetime | None
    updated_at: datetime | None
    raw: dict[str, Any]

    @classmethod
    def from_payload(cls, item: Any, *, where: str = "hotline") -> Hotline:
        """A hotline from its payload, each field parsed as the registry declares it."""
        if not isinstance(item, dict):
            raise BadPayload(f"{where} is not an object")
        for key in _BOOLEANS:
            value = item.get(key)
            if value is not None and not isinstance(value, bool):
                raise BadPayload(f"{where}: field '{key}' should be true or false")
        hotline_id = _int64(item, "id", where=where, required=True)
        where = f"{where} (id {hotline_id})"
        _check_nesting(item, where=where)
        values = [read(item, key, where, *options) for read, key, options in _PARSERS]
        return cls(hotline_id, *values, item)


def _bool(item: dict, key: str, where: str) -> bool | None:
    return item.get(key)  # checked first, as its error names no ID


def _parser(field: HotlineField) -> tuple[Callable[..., Any], str, tuple]:
    """How one payload field is read, from its kind in the registry: (reader, key, the reader's
    arguments after `where`), positional as a page calls it for every hotline."""
    if field.kind == ID:
        reader, options = _int64, (field.required,)
    elif field.kind == DATETIME:
        reader, options = _datetime, ()
    elif field.kind == BOOL:
        reader, options = _bool, ()
    else:
        reader, options = _text, (field.max_length, field.kind != LONG_TEXT, field.stripped, field.required)
    return reader, field.api_name, options


# Every payload field but the ID (parsed first: the errors after it name it), in the API's order,
# which is `Hotline`'s (a test checks it).
_PARSERS = tuple(_parser(field) for field in API_FIELDS if field.name != UPSTREAM_KEY)
_BOOLEANS = tuple(field.api_name for field in API_FIELDS if field.kind == BOOL)


@dataclass(frozen=True, slots=True)
class Tenant:
    """One tenant (a customer's PBX) as eTelecom describes it. Unknown statuses are kept as received."""

    id: str
    name: str
    domain: str
    owner_id: str
    status: str
    connection_id: str
    connection_method: str
    created_at: datetime | None
    updated_at: datetime | None
    raw: dict[str, Any]

    @classmethod
    def from_payload(cls, item: Any, *, where: str = "tenant") -> Tenant:
        """A tenant from its payload, each field parsed as the tenant registry declares it."""
        if not isinstance(item, dict):
            raise BadPayload(f"{where} is not an object")
        tenant_id = _int64(item, "id", where=where, required=True)
        where = f"{where} (id {tenant_id})"
        _check_nesting(item, where=where)
        values = [read(item, key, where, *options) for read, key, options in _TENANT_PARSERS]
        return cls(tenant_id, *values, item)


# Every tenant payload field but the ID, in the API's order, which is `Tenant`'s (a test checks it).
_TENANT_PARSERS = tuple(
    _parser(field) for field in tenant_fields.API_FIELDS if field.name != tenant_fields.UPSTREAM_KEY
)


@dataclass(frozen=True, slots=True)
class TenantPage:
    """One page of GetPartnerTenantList."""

    number: int
    tenants: tuple[Tenant, ...]
    paging: Paging


@dataclass(frozen=True, slots=True)
class Paging:
    """The cursor part of a list answer: the list is read forwards only, so `next` is all it keeps."""

    next: str

    @classmethod
    def from_payload(cls, value: Any) -> Paging:
        """The paging of an answer, or BadPayload when it is not an object of text cursors."""
        if value is None:
            return cls(next="")
        if not isinstance(value, dict):
            raise BadPayload("its 'paging' is not an object")
        nxt = value.get("next") or ""
        # `prev` is not kept, but a cursor that is not text means the envelope is not the API's.
        if not isinstance(nxt, str) or not isinstance(value.get("prev") or "", str):
            raise BadPayload("its 'paging.next' should be text")
        return cls(next=nxt)


@dataclass(frozen=True, slots=True)
class HotlinePage:
    """One page of GetPartnerHotlineList."""

    number: int
    hotlines: tuple[Hotline, ...]
    paging: Paging


@dataclass(frozen=True, slots=True)
class RawHotlinePage:
    """A page whose envelope is checked (a list of hotlines, the paging) but not yet its hotlines:
    enough to follow the cursor while the hotlines are parsed elsewhere."""

    number: int
    items: list[Any]
    paging: Paging

    @classmethod
    def from_payload(cls, payload: Any, *, number: int) -> RawHotlinePage:
        if not isinstance(payload, dict):
            raise BadPayload("it is not a JSON object")
        if "hotlines" not in payload:
            raise BadPayload("it has no 'hotlines' list")
        items = payload["hotlines"]
        if items is None:
            items = []
        if not isinstance(items, list):
            raise BadPayload("its 'hotlines' is not a list")
        return cls(number=number, items=items, paging=Paging.from_payload(payload.get("paging")))

    def parse(self) -> HotlinePage:
        items = enumerate(self.items, start=1)
        hotlines = tuple(Hotline.from_payload(item, where=f"hotline {index}") for index, item in items)
        return HotlinePage(number=self.number, hotlines=hotlines, paging=self.paging)
