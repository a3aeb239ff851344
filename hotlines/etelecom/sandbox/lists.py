"""The sandbox's list methods: which lists it serves, and one answer of a list as eTelecom gives
it (a page after the cursor, `limit`, newest first, `filter` where the method takes one), with
the active faults applied. Plain data in, `Answer` out: the server only sends it."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .dataset import Dataset, Items, Match, encode_cursor
from .faults import Fault, gzip_bomb, with_nulls

_PLACEHOLDER = "\u2063sandbox-raw\u2063"  # replaced in the JSON text by what json.dumps cannot write


@dataclass(frozen=True, slots=True)
class ListMethod:
    """One list method of the Partner API, as the sandbox serves it."""

    path: str  # "/GetPartnerHotlineList"
    key: str  # the answer's list, and the faults' `list`
    items: Callable[[Dataset], Items]
    filtered: bool = False  # takes `filter` ({"name", "owner_id"})
    malformed: bytes = b""  # a 200 cut off mid-item


HOTLINES = ListMethod(
    "/GetPartnerHotlineList", "hotlines", lambda dataset: dataset.hotlines,
    malformed=b'{"hotlines": [{"id": "1", "hotline": ',
)  # fmt: skip
TENANTS = ListMethod(
    "/GetPartnerTenantList", "tenants", lambda dataset: dataset.tenants, filtered=True,
    malformed=b'{"tenants": [{"id": "1", "name": ',
)  # fmt: skip
METHODS = {method.path: method for method in (HOTLINES, TENANTS)}


@dataclass(frozen=True, slots=True)
class Answer:
    """What to send: a status, a body and headers; or drop the connection; or trickle the body."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False
    trickle: float = 0.0  # seconds between bytes, when > 0


def error(status: int, code: str, msg: str, headers: dict[str, str] | None = None) -> Answer:
    """eTelecom's error shape."""
    return Answer(status, _dumps({"code": code, "msg": msg}), headers or {})


def fold(text: str) -> str:
    """Text compared without case or accents ("Đà Nẵng" and "da nang" are the same)."""
    decomposed = unicodedata.normalize("NFKD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def tenant_filter(value: Any) -> Match | None:
    """The tenant list's `filter`: `name` a case- and accent-insensitive part of the name,
    `owner_id` the exact owner; None when it asks for nothing. ValueError when it is not one."""
    if value in (None, {}):
        return None
    if not isinstance(value, dict):
        raise ValueError("filter must be an object")
    name, owner_id = value.get("name") or "", value.get("owner_id") or ""
    if not isinstance(name, str) or not isinstance(owner_id, (str, int)) or isinstance(owner_id, bool):
        raise ValueError("filter.name and filter.owner_id must be text")
    wanted, owner = fold(name), str(owner_id)
    if not wanted and not owner:
        return None

    def match(item: dict[str, Any]) -> bool:
        if owner and str(item.get("owner_id") or "") != owner:
            return False
        return not wanted or wanted in fold(str(item.get("name") or ""))

    return match


def list_answer(
    dataset: Dataset,
    method: ListMethod,
    *,
    page: int,
    position: int,
    limit: int,
    after: str,
    faults: list[Fault],
    match: Match | None = None,
) -> Answer:
    """Page `page` of a list, from `position`, with the faults that apply to it."""
    kinds = {f.kind: f for f in faults}
    if "drop" in kinds:
        return Answer(drop=True)
    if "status" in kinds:
        fault = kinds["status"]
        return error(
            fault.status, fault.code, fault.msg, {"Retry-After": fault.retry_after} if fault.retry_after else None
        )
    if "malformed" in kinds:
        return Answer(200, method.malformed)
    if "shape" in kinds:
        return Answer(200, _dumps({"data": {"items": []}, "paging": []}))
    if "redirect" in kinds:
        fault = kinds["redirect"]
        return Answer(fault.status, b"", {"Location": fault.location})
    if "gzip_bomb" in kinds:
        return Answer(200, gzip_bomb(kinds["gzip_bomb"].size, method.key), {"Content-Encoding": "gzip"})

    items_of = method.items(dataset)
    count = limit * 20 if "oversize" in kinds else limit
    items, next_position = items_of.page(position, count, match)
    if "empty_with_next" in kinds:
        items, next_position = [], position
    if "duplicate" in kinds and position > 0:
        previous, _ = items_of.page(max(position - 1, 0), 1)
        items = previous + items  # the last item of the previous page, again
    items, raw_text = _hostile(items, kinds, method.key)
    more = next_position < items_of.length
    nxt = encode_cursor(page + 1, next_position) if more or "empty_with_next" in kinds else ""
    if "repeat_cursor" in kinds and after:
        nxt = after
    paging = {"after": after, "limit": limit, "next": nxt, "prev": "", "sort": ""}
    text = json.dumps({method.key: items, "paging": paging}, ensure_ascii=False)
    if raw_text:
        text = text.replace(f'"{_PLACEHOLDER}"', raw_text).replace(_PLACEHOLDER, raw_text)
    if "trickle" in kinds:
        return Answer(200, text.encode(), trickle=kinds["trickle"].seconds)
    return Answer(200, text.encode())


def _hostile(items: list[dict[str, Any]], kinds: dict[str, Fault], key: str) -> tuple[list[dict[str, Any]], str]:
    """The items as the hostile faults turn them, and JSON text json.dumps cannot produce (to put
    in place of _PLACEHOLDER)."""
    raw_text = ""
    if "nulls" in kinds:
        items = [with_nulls(item, n, key) for n, item in enumerate(items)]
    if not items:
        return items, raw_text
    first = items[0]
    if "missing_id" in kinds:
        first = {k: v for k, v in first.items() if k != "id"}
    if "unknown_enums" in kinds:
        first = {**first, "status": "X", **({"network": "itelecom"} if key == "hotlines" else {})}
    if "deep_nesting" in kinds:
        depth = kinds["deep_nesting"].size
        first, raw_text = {**first, "extra": _PLACEHOLDER}, "[" * depth + "]" * depth
    if "lone_surrogate" in kinds:
        first, raw_text = {**first, "name": f"Tổng đài {_PLACEHOLDER} lỗi"}, "\\ud800"
    if "out_of_range_id" in kinds:
        first = {**first, "id": kinds["out_of_range_id"].value}
    if "out_of_range_date" in kinds:
        first = {**first, "created_at": kinds["out_of_range_date"].value}
    return [first, *items[1:]], raw_text


def _dumps(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode()
