"""The sandbox's fault switches: the misbehaviours, hostile ones included, a test turns on.

A fault applies to one list: the hotlines unless it says `list="tenants"`; its `page` counts
that list's pages. `refuse_tenants` refuses the tenant list alone (403 `permission_denied`, or
with `status=404` the `bad_route` of a method that does not exist), the hotlines still served.
"""

from __future__ import annotations

import functools
import threading
import zlib
from dataclasses import dataclass, field
from typing import Any

from ... import hotline_fields, tenant_fields

FAULT_KINDS = (
    "status",  # answer with `status` and {code, msg} (and Retry-After when `retry_after` is set)
    "delay",  # sleep `seconds` before answering
    "malformed",  # 200 with a body that is not JSON
    "shape",  # 200 with JSON of the wrong shape
    "nulls",  # optional fields null or missing
    "missing_id",  # one hotline without an id
    "unknown_enums",  # network and status values the docs do not list
    "duplicate",  # repeat the first hotline of this page on the next page too
    "repeat_cursor",  # `next` equal to the cursor just sent
    "empty_with_next",  # no hotlines, but a `next`
    "oversize",  # 20 times the hotlines asked for
    "drop",  # close the connection without answering
    # Hostile upstreams (what the client must survive without leaking, hanging or bloating):
    "echo_key",  # `status` (401 by default) whose `msg` echoes the Authorization header and the key
    "gzip_bomb",  # 200, gzip-encoded, that inflates to `size` bytes (1 GiB by default) from ~1 MB
    "trickle",  # the normal answer, one byte every `seconds` (2 s by default)
    "redirect",  # 302 to `location` (https://evil.example/... by default)
    "deep_nesting",  # hotline 1 carries a field nested `size` levels deep (5,000 by default)
    "lone_surrogate",  # hotline 1's name holds a lone surrogate ("\\ud800")
    "out_of_range_id",  # hotline 1's id is `value` (2**63 by default: beyond int64; or e.g. "١٢٣")
    "out_of_range_date",  # hotline 1's created_at is `value` (0001-01-01T00:00:00+14:00 by default)
    # A key refused one method: the tenant list, while the hotlines are served.
    "refuse_tenants",  # `status` 403 permission_denied by default; 404 answers bad_route
)
LISTS = ("hotlines", "tenants")  # what a fault's `list` may name
HOSTILE_DEFAULTS: dict[str, dict[str, Any]] = {
    "echo_key": {"status": 401, "code": "unauthenticated", "msg": "invalid token"},
    "gzip_bomb": {"size": 1 << 30},
    "trickle": {"seconds": 2.0},
    "redirect": {"status": 302, "location": "https://evil.example/GetPartnerHotlineList"},
    "deep_nesting": {"size": 5000},
    "out_of_range_id": {"value": str(2**63)},
    "out_of_range_date": {"value": "0001-01-01T00:00:00+14:00"},
    "refuse_tenants": {"status": 403, "code": "permission_denied", "msg": "permission denied", "list": "tenants"},
}
# A refusal with 404 is a method the API does not have, worded as eTelecom words it.
_NO_SUCH_METHOD = {"code": "bad_route", "msg": "no handler for path '/GetPartnerTenantList'"}


@dataclass
class Fault:
    """A misbehaviour to apply to matching requests (`page` None = every page; `times` None = forever)."""

    kind: str
    page: int | None = None
    times: int | None = None
    status: int = 500
    code: str = "internal"
    msg: str = "internal error"
    retry_after: str = ""
    seconds: float = 0.0
    size: int = 0  # bytes a gzip bomb inflates to; levels of a deep nesting
    location: str = ""  # where a redirect points
    value: str = ""  # the out-of-range value to send
    list: str = "hotlines"  # the list it applies to: "hotlines" or "tenants"
    hits: int = field(default=0)

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; known: {', '.join(FAULT_KINDS)}")
        if self.list not in LISTS:
            raise ValueError(f"unknown list {self.list!r}; known: {', '.join(LISTS)}")

    @classmethod
    def make(cls, kind: str, **options: Any) -> Fault:
        """A fault, with the hostile kinds' defaults for the options not given."""
        defaults = dict(HOSTILE_DEFAULTS.get(kind, {}))
        if kind == "refuse_tenants" and options.get("status") == 404:
            defaults.update(_NO_SUCH_METHOD)
        return cls(kind, **{**defaults, **options})


class Faults:
    """The active faults, matched in order; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, kind: str, **options: Any) -> Fault:
        """Switch a fault on (see FAULT_KINDS for the kinds and their options)."""
        fault = Fault.make(kind, **options)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        """Switch every fault off."""
        with self._lock:
            self._faults.clear()

    def take(self, page: int, list_name: str = "hotlines") -> list[Fault]:
        """The faults that apply to this request, page `page` of `list_name` (counting them as used)."""
        taken = []
        with self._lock:
            for fault in self._faults:
                if fault.list != list_name:
                    continue
                if fault.page is not None and fault.page != page:
                    continue
                if fault.times is not None and fault.hits >= fault.times:
                    continue
                fault.hits += 1
                taken.append(fault)
        return taken


@functools.lru_cache(maxsize=4)
def gzip_bomb(size: int, key: str = "hotlines") -> bytes:
    """A gzip body of ~size/1000 bytes that inflates to `size` bytes: the start of a valid answer,
    then spaces. Gzip members may follow each other, so one compressed MiB of spaces is repeated."""
    block = 1 << 20

    def member(data: bytes) -> bytes:
        compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
        return compressor.compress(data) + compressor.flush()

    head = member(b'{"' + key.encode() + b'": [], "paging": {}, "padding": "')
    spaces = member(b" " * block)
    tail = member(b" " * (size % block) + b'"}')
    return head + spaces * (size // block) + tail


# The payload's fields an item may lack (a hotline: all but the ID and the number; a tenant: all but the ID).
OPTIONAL_FIELDS = {
    "hotlines": tuple(field.api_name for field in hotline_fields.API_FIELDS if not field.required),
    "tenants": tuple(field.api_name for field in tenant_fields.API_FIELDS if not field.required),
}


def with_nulls(item: dict[str, Any], n: int, list_name: str = "hotlines") -> dict[str, Any]:
    """Optional fields null on even items and missing on odd ones."""
    optional = OPTIONAL_FIELDS[list_name]
    if n % 2 == 0:
        return {**item, **dict.fromkeys(optional)}
    return {k: v for k, v in item.items() if k not in optional}
