"""Typed, validated views of eTelecom payloads (frozen dataclasses, never raw dicts).

Each of the Partner API's lists is described once (`Listing`: its method, the key of its items,
their type, its page type), so one envelope (`RawPage`) and one paging loop serve them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .. import hotline_fields, tenant_fields
from .exceptions import BadPayload
from .parsing import check_nesting, field_parser, read_int64


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
        hotline_id = read_int64(item, "id", where=where, required=True)
        where = f"{where} (id {hotline_id})"
        check_nesting(item, where=where)
        values = [read(item, key, where, *options) for read, key, options in _PARSERS]
        return cls(hotline_id, *values, item)


# Every payload field but the ID (parsed first: the errors after it name it), in the API's order,
# which is `Hotline`'s (a test checks it).
_PARSERS = tuple(
    field_parser(field) for field in hotline_fields.API_FIELDS if field.name != hotline_fields.UPSTREAM_KEY
)
_BOOLEANS = tuple(field.api_name for field in hotline_fields.API_FIELDS if field.kind == hotline_fields.BOOL)


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
        tenant_id = read_int64(item, "id", where=where, required=True)
        where = f"{where} (id {tenant_id})"
        check_nesting(item, where=where)
        values = [read(item, key, where, *options) for read, key, options in _TENANT_PARSERS]
        return cls(tenant_id, *values, item)


# Every tenant payload field but the ID, in the API's order, which is `Tenant`'s (a test checks it).
_TENANT_PARSERS = tuple(
    field_parser(field) for field in tenant_fields.API_FIELDS if field.name != tenant_fields.UPSTREAM_KEY
)


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
class TenantPage:
    """One page of GetPartnerTenantList."""

    number: int
    tenants: tuple[Tenant, ...]
    paging: Paging


@dataclass(frozen=True, slots=True)
class Listing[ItemT, PageT]:
    """One of the Partner API's lists: its method, where its items are, and what they become."""

    method: str  # the Partner API method that serves it
    key: str  # the answer's list of items, also their plural in messages ("hotlines")
    noun: str  # one item, in messages ("hotline 3 (id ...)")
    page_label: str  # a page, in messages ("page 3", "tenant page 3")
    parse_item: Callable[..., ItemT]  # (payload, where=...) -> the item
    make_page: Callable[[int, tuple[ItemT, ...], Paging], PageT]
    # How a refusal of this list alone names it ("the tenant list"); "" when a refusal is an
    # ordinary AuthError (the hotline list: a key without it is of no use to the dashboard).
    refusable: str = ""

    def where(self, number: int) -> str:
        """How messages name page `number` of this list."""
        return f"{self.page_label} {number}"


HOTLINES: Listing[Hotline, HotlinePage] = Listing(
    "GetPartnerHotlineList", "hotlines", "hotline", "page", Hotline.from_payload, HotlinePage
)
TENANTS: Listing[Tenant, TenantPage] = Listing(
    "GetPartnerTenantList", "tenants", "tenant", "tenant page", Tenant.from_payload, TenantPage,
    refusable="the tenant list",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class RawPage[PageT]:
    """A page whose envelope is checked (a list of items, the paging) but not yet its items:
    enough to follow the cursor while the items are parsed elsewhere."""

    number: int
    items: list[Any]
    paging: Paging
    listing: Listing[Any, PageT] = HOTLINES  # the hotline list's callers name none

    @classmethod
    def from_payload(cls, payload: Any, *, number: int, listing: Listing[Any, PageT] = HOTLINES) -> RawPage[PageT]:
        """The envelope of one answer of `listing`, or BadPayload when it is not the API's."""
        key = listing.key
        if not isinstance(payload, dict):
            raise BadPayload("it is not a JSON object")
        if key not in payload:
            raise BadPayload(f"it has no '{key}' list")
        items = payload[key]
        if items is None:
            items = []
        if not isinstance(items, list):
            raise BadPayload(f"its '{key}' is not a list")
        return cls(number=number, items=items, paging=Paging.from_payload(payload.get("paging")), listing=listing)

    def parse(self) -> PageT:
        """The typed page: every item parsed, each error naming the item's place."""
        noun, parse_item = self.listing.noun, self.listing.parse_item
        items = tuple(parse_item(item, where=f"{noun} {index}") for index, item in enumerate(self.items, start=1))
        return self.listing.make_page(self.number, items, self.paging)


RawHotlinePage = RawPage  # its name from when the hotline list was the only one
