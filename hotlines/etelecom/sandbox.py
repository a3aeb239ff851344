"""A local stand-in for eTelecom's Partner API, for the demo, tests and benchmarks.

It behaves like the documented API: `POST /GetPartnerHotlineList` with JSON headers and a
Bearer key, cursor paging (about 100 a page, `limit` to change it, newest first, an empty
`next` on the last page) and `{code, msg}` errors. Data comes from `demo_data`, generated on
demand, so a million hotlines cost no memory. Tests change data and switch faults on, either
in-process (`server.dataset`, `server.faults`) or over HTTP (`POST /_sandbox/control`).
"""

from __future__ import annotations

import base64
import functools
import json
import logging
import sys
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote

from ..hotline_fields import API_FIELDS
from . import demo_data

logger = logging.getLogger(__name__)

DEFAULT_API_KEY = "sandbox-key"
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
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
)
HOSTILE_DEFAULTS: dict[str, dict[str, Any]] = {
    "echo_key": {"status": 401, "code": "unauthenticated", "msg": "invalid token"},
    "gzip_bomb": {"size": 1 << 30},
    "trickle": {"seconds": 2.0},
    "redirect": {"status": 302, "location": "https://evil.example/GetPartnerHotlineList"},
    "deep_nesting": {"size": 5000},
    "out_of_range_id": {"value": str(2**63)},
    "out_of_range_date": {"value": "0001-01-01T00:00:00+14:00"},
}
_PLACEHOLDER = "\u2063sandbox-raw\u2063"  # replaced in the JSON text by what json.dumps cannot write


class Dataset:
    """The sandbox's hotlines: generated ones plus the changes tests make to them."""

    def __init__(self, size: int = 1000, seed: int = 1) -> None:
        self.size = size
        self.seed = seed
        self._lock = threading.Lock()
        self._patches: dict[str, dict[str, Any]] = {}  # by id
        self._removed: set[str] = set()
        self._added: list[dict[str, Any]] = []  # newest first, before the generated ones

    def reset(self, *, size: int | None = None, seed: int | None = None) -> None:
        with self._lock:
            self.size = self.size if size is None else size
            self.seed = self.seed if seed is None else seed
            self._patches.clear()
            self._removed.clear()
            self._added.clear()

    def generated(self, index: int) -> dict[str, Any]:
        return demo_data.hotline(self.seed, index, size=self.size)

    def _at(self, position: int) -> dict[str, Any] | None:
        """The hotline at a position of the full (newest first) sequence, or None if removed."""
        if position < len(self._added):
            item = dict(self._added[position])
        else:
            item = self.generated(position - len(self._added))
        if item["id"] in self._removed:
            return None
        if item["id"] in self._patches:
            item.update(self._patches[item["id"]])
        return item

    @property
    def length(self) -> int:
        return len(self._added) + self.size

    def page(self, position: int, limit: int) -> tuple[list[dict[str, Any]], int]:
        """Up to `limit` hotlines from `position`, and the position after them."""
        items: list[dict[str, Any]] = []
        with self._lock:
            while position < self.length and len(items) < limit:
                item = self._at(position)
                position += 1
                if item is not None:
                    items.append(item)
        return items, position

    def all(self) -> list[dict[str, Any]]:
        """Every visible hotline, newest first (for tests on small data sets)."""
        items, _ = self.page(0, self.length)
        return items

    def patch(self, hotline_id: str, **fields: Any) -> None:
        with self._lock:
            self._patches.setdefault(hotline_id, {}).update(fields)

    def remove(self, hotline_id: str) -> None:
        with self._lock:
            self._removed.add(hotline_id)

    def restore(self, hotline_id: str) -> None:
        with self._lock:
            self._removed.discard(hotline_id)

    def add(self, item: dict[str, Any]) -> None:
        with self._lock:
            self._added.insert(0, item)


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
    hits: int = field(default=0)

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; known: {', '.join(FAULT_KINDS)}")

    @classmethod
    def make(cls, kind: str, **options: Any) -> Fault:
        """A fault, with the hostile kinds' defaults for the options not given."""
        return cls(kind, **{**HOSTILE_DEFAULTS.get(kind, {}), **options})


class Faults:
    """The active faults, matched in order; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, kind: str, **options: Any) -> Fault:
        fault = Fault.make(kind, **options)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, page: int) -> list[Fault]:
        """The faults that apply to this request (counting them as used)."""
        taken = []
        with self._lock:
            for fault in self._faults:
                if fault.page is not None and fault.page != page:
                    continue
                if fault.times is not None and fault.hits >= fault.times:
                    continue
                fault.hits += 1
                taken.append(fault)
        return taken


def encode_cursor(page: int, position: int) -> str:
    return base64.urlsafe_b64encode(f"{page}:{position}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, int]:
    padded = cursor + "=" * (-len(cursor) % 4)
    page, position = base64.urlsafe_b64decode(padded.encode()).decode().split(":")
    return int(page), int(position)


class SandboxServer(ThreadingHTTPServer):
    """The sandbox HTTP server. `url` is the base URL to give the dashboard."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        hotlines: int = 1000,
        seed: int = 1,
        api_key: str = DEFAULT_API_KEY,
        control: bool = True,
    ) -> None:
        super().__init__((host, port), _Handler)
        self.dataset = Dataset(hotlines, seed)
        self.faults = Faults()
        self.api_key = api_key
        self.control = control
        self.requests = 0
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> SandboxServer:
        """Serve in a background thread (for tests)."""
        self._thread = threading.Thread(target=self.serve_forever, name="etelecom-sandbox", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (timeout tests) is not the sandbox's error.
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall
    server: SandboxServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        logger.debug("sandbox: " + format, *args)

    # --- plumbing ------------------------------------------------------------------

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(payload, ensure_ascii=False).encode(), headers)

    def _error(self, status: int, code: str, msg: str, headers: dict[str, str] | None = None) -> None:
        self._json(status, {"code": code, "msg": msg}, headers)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self) -> None:
        self._body()
        self._error(404, "bad_route", f"no handler for path {self.path!r}")

    def do_POST(self) -> None:
        self.server.requests += 1
        raw = self._body()
        if self.path == "/_sandbox/control" and self.server.control:
            return self._control(raw)
        if self.path.rstrip("/") != "/GetPartnerHotlineList":
            return self._error(404, "bad_route", f"no handler for path {self.path!r}")
        content_type = self.headers.get("Content-Type", "")
        if content_type.split(";")[0].strip() != "application/json":
            return self._error(400, "bad_route", f'unexpected Content-Type: "{content_type}"')
        try:
            body = json.loads(raw or b"{}")
            paging = body.get("paging") or {}
            limit = int(paging.get("limit") or DEFAULT_LIMIT)
            after = paging.get("after") or ""
            page, position = decode_cursor(after) if after else (1, 0)
        except (ValueError, TypeError, AttributeError):
            page = None
        faults = self.server.faults.take(page or 1)
        echo = next((f for f in faults if f.kind == "echo_key"), None)
        if echo is not None:
            return self._echo_key(echo)
        if self.headers.get("Authorization", "") != f"Bearer {self.server.api_key}":
            return self._error(401, "unauthenticated", "invalid token")
        if page is None:
            return self._error(400, "invalid_argument", "invalid paging")
        if limit < 1:
            return self._error(400, "invalid_argument", "limit must be positive")
        self._hotline_list(page, position, min(limit, MAX_LIMIT), after, faults)

    # --- GetPartnerHotlineList ------------------------------------------------------

    def _hotline_list(self, page: int, position: int, limit: int, after: str, faults: list[Fault]) -> None:
        kinds = {f.kind: f for f in faults}
        if "delay" in kinds:
            time.sleep(kinds["delay"].seconds)
        if "drop" in kinds:
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if "status" in kinds:
            fault = kinds["status"]
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else None
            return self._error(fault.status, fault.code, fault.msg, headers)
        if "malformed" in kinds:
            return self._send(200, b'{"hotlines": [{"id": "1", "hotline": ')
        if "shape" in kinds:
            return self._json(200, {"data": {"items": []}, "paging": []})
        if "redirect" in kinds:
            fault = kinds["redirect"]
            return self._send(fault.status, b"", {"Location": fault.location})
        if "gzip_bomb" in kinds:
            return self._send(200, _gzip_bomb(kinds["gzip_bomb"].size), {"Content-Encoding": "gzip"})

        dataset = self.server.dataset
        count = limit * 20 if "oversize" in kinds else limit
        items, next_position = dataset.page(position, count)
        if "empty_with_next" in kinds:
            items, next_position = [], position
        if "duplicate" in kinds and position > 0:
            previous, _ = dataset.page(max(position - 1, 0), 1)
            items = previous + items  # the last hotline of the previous page, again
        if "nulls" in kinds:
            items = [_with_nulls(item, n) for n, item in enumerate(items)]
        if "missing_id" in kinds and items:
            items[0] = {k: v for k, v in items[0].items() if k != "id"}
        if "unknown_enums" in kinds and items:
            items[0] = {**items[0], "network": "itelecom", "status": "X"}
        raw_text = ""  # JSON text json.dumps cannot produce, put in place of _PLACEHOLDER
        if "deep_nesting" in kinds and items:
            depth = kinds["deep_nesting"].size
            items[0], raw_text = {**items[0], "extra": _PLACEHOLDER}, "[" * depth + "]" * depth
        if "lone_surrogate" in kinds and items:
            items[0], raw_text = {**items[0], "name": f"Tổng đài {_PLACEHOLDER} lỗi"}, "\\ud800"
        if "out_of_range_id" in kinds and items:
            items[0] = {**items[0], "id": kinds["out_of_range_id"].value}
        if "out_of_range_date" in kinds and items:
            items[0] = {**items[0], "created_at": kinds["out_of_range_date"].value}
        more = next_position < dataset.length
        nxt = encode_cursor(page + 1, next_position) if more or "empty_with_next" in kinds else ""
        if "repeat_cursor" in kinds and after:
            nxt = after
        payload = {"hotlines": items, "paging": {"after": after, "limit": limit, "next": nxt, "prev": "", "sort": ""}}
        text = json.dumps(payload, ensure_ascii=False)
        if raw_text:
            text = text.replace(f'"{_PLACEHOLDER}"', raw_text).replace(_PLACEHOLDER, raw_text)
        if "trickle" in kinds:
            return self._trickle(text.encode(), kinds["trickle"].seconds)
        self._send(200, text.encode())

    def _echo_key(self, fault: Fault) -> None:
        """An upstream that quotes the request's credentials back, as some gateways do."""
        authorization = self.headers.get("Authorization", "")
        key = authorization.removeprefix("Bearer ")
        msg = f"{fault.msg}: Authorization: {authorization} (api_key={key}, encoded {quote(key, safe='')})"
        self._json(fault.status, {"code": f"{fault.code} {key}", "msg": msg})

    def _trickle(self, body: bytes, seconds: float) -> None:
        """The answer one byte at a time: each byte arrives well within any read timeout."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.flush()
        for index in range(len(body)):
            self.wfile.write(body[index : index + 1])
            self.wfile.flush()
            time.sleep(seconds)

    # --- control (tests) ------------------------------------------------------------

    def _control(self, raw: bytes) -> None:
        """Commands: {"fault": {...}}, {"clear_faults": true}, {"patch": {"id":..., ...}},
        {"remove": id}, {"restore": id}, {"add": {...}}, {"reset": {"size":.., "seed":..}}."""
        try:
            command = json.loads(raw or b"{}")
            server = self.server
            if "fault" in command:
                server.faults.add(**command["fault"])
            if command.get("clear_faults"):
                server.faults.clear()
            if "patch" in command:
                fields = dict(command["patch"])
                server.dataset.patch(fields.pop("id"), **fields)
            if "remove" in command:
                server.dataset.remove(command["remove"])
            if "restore" in command:
                server.dataset.restore(command["restore"])
            if "add" in command:
                server.dataset.add(command["add"])
            if "reset" in command:
                server.dataset.reset(**command["reset"])
        except (ValueError, TypeError, KeyError) as exc:
            return self._error(400, "invalid_argument", str(exc))
        self._json(200, {"ok": True, "size": self.server.dataset.length})


@functools.lru_cache(maxsize=4)
def _gzip_bomb(size: int) -> bytes:
    """A gzip body of ~size/1000 bytes that inflates to `size` bytes: the start of a valid answer,
    then spaces. Gzip members may follow each other, so one compressed MiB of spaces is repeated."""
    block = 1 << 20

    def member(data: bytes) -> bytes:
        compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
        return compressor.compress(data) + compressor.flush()

    head = member(b'{"hotlines": [], "paging": {}, "padding": "')
    spaces = member(b" " * block)
    tail = member(b" " * (size % block) + b'"}')
    return head + spaces * (size // block) + tail


# The payload's fields a hotline may lack (all but the ID and the number).
_OPTIONAL = tuple(field.api_name for field in API_FIELDS if not field.required)


def _with_nulls(item: dict[str, Any], n: int) -> dict[str, Any]:
    """Optional fields null on even items and missing on odd ones."""
    if n % 2 == 0:
        return {**item, **dict.fromkeys(_OPTIONAL)}
    return {k: v for k, v in item.items() if k not in _OPTIONAL}
