"""The sandbox's HTTP server: `POST /GetPartnerHotlineList` as the Partner API answers it, with
the active faults applied, and `POST /_sandbox/control` for tests that drive it over HTTP."""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote

from .dataset import Dataset, decode_cursor, encode_cursor
from .faults import Fault, Faults, gzip_bomb, with_nulls

logger = logging.getLogger(__name__)

DEFAULT_API_KEY = "sandbox-key"
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
_PLACEHOLDER = "\u2063sandbox-raw\u2063"  # replaced in the JSON text by what json.dumps cannot write


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
        """Stop serving and close the socket."""
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
            return self._send(200, gzip_bomb(kinds["gzip_bomb"].size), {"Content-Encoding": "gzip"})

        dataset = self.server.dataset
        count = limit * 20 if "oversize" in kinds else limit
        items, next_position = dataset.page(position, count)
        if "empty_with_next" in kinds:
            items, next_position = [], position
        if "duplicate" in kinds and position > 0:
            previous, _ = dataset.page(max(position - 1, 0), 1)
            items = previous + items  # the last hotline of the previous page, again
        if "nulls" in kinds:
            items = [with_nulls(item, n) for n, item in enumerate(items)]
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
