"""The sandbox's HTTP server: `POST /GetPartnerHotlineList` and `POST /GetPartnerTenantList` as
the Partner API answers them (key, Content-Type, paging, faults; `lists.py` builds the pages),
and `POST /_sandbox/control` for tests that drive it over HTTP (`control.py`)."""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote

from . import control
from .dataset import Dataset, decode_cursor
from .faults import Fault, Faults
from .lists import METHODS, TENANTS, Answer, ListMethod, error, list_answer, tenant_filter
from .network import DEFAULT_MAX_LIMIT, Network

logger = logging.getLogger(__name__)

DEFAULT_API_KEY = "sandbox-key"
DEFAULT_LIMIT = 100
MAX_LIMIT = DEFAULT_MAX_LIMIT  # the default of `max_limit`: the most a page holds, whatever `limit` asks


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
        tenants: int | None = None,
        api_key: str = DEFAULT_API_KEY,
        control: bool = True,
        refuse_tenants: int = 0,
        latency_ms: int = 0,
        bandwidth_kbps: int = 0,
        max_limit: int = MAX_LIMIT,
    ) -> None:
        super().__init__((host, port), _Handler)
        self.dataset = Dataset(hotlines, seed, tenants)  # tenants: by default one per 20 hotlines
        self.faults = Faults()
        # Latency, bandwidth and the largest page served: switchable at run time (`network.py`).
        self.network = Network(latency_ms=latency_ms, bandwidth_kbps=bandwidth_kbps, max_limit=max_limit)
        # 403 or 404: the tenant list is refused to every key, whatever the faults (0: served).
        self.refuse_tenants = refuse_tenants
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
    arrived: float | None = None  # when a Partner API request was read; None for control

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        logger.debug("sandbox: " + format, *args)

    # --- plumbing ------------------------------------------------------------------

    def _wait_latency(self) -> None:
        """A Partner API answer waits out the network's latency (control answers do not)."""
        if self.arrived is not None:
            self.server.network.wait_latency(self.arrived)

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self._wait_latency()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.arrived is None:
            self.wfile.write(body)
        else:
            self.server.network.write(self.wfile, body)

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
        self.arrived = None
        raw = self._body()
        if self.path == "/_sandbox/control" and self.server.control:
            return self._control(raw)
        self.arrived = time.monotonic()
        method = METHODS.get(self.path.rstrip("/"))
        if method is None:
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
            body, page = {}, None
        faults = self.server.faults.take(page or 1, method.key)
        echo = next((f for f in faults if f.kind == "echo_key"), None)
        if echo is not None:
            return self._echo_key(echo)
        refusal = self._refusal(method, faults)
        if refusal is not None and refusal.status == 404:  # no such method: before the key is looked at
            return self._answer(refusal)
        if self.headers.get("Authorization", "") != f"Bearer {self.server.api_key}":
            return self._error(401, "unauthenticated", "invalid token")
        if refusal is not None:
            return self._answer(refusal)
        if page is None:
            return self._error(400, "invalid_argument", "invalid paging")
        if limit < 1:
            return self._error(400, "invalid_argument", "limit must be positive")
        try:
            match = tenant_filter(body.get("filter")) if method.filtered else None
        except ValueError as exc:
            return self._error(400, "invalid_argument", str(exc))
        delay = next((f for f in faults if f.kind == "delay"), None)
        if delay is not None:
            time.sleep(delay.seconds)
        answer = list_answer(
            self.server.dataset, method, page=page, position=position, limit=min(limit, self.server.network.max_limit),
            after=after, faults=faults, match=match,
        )  # fmt: skip
        self._answer(answer)

    def _refusal(self, method: ListMethod, faults: list[Fault]) -> Answer | None:
        """The tenant list refused to this key, by a fault or by the server's setting."""
        if method is not TENANTS:
            return None
        fault = next((f for f in faults if f.kind == "refuse_tenants"), None)
        if fault is None and self.server.refuse_tenants:
            fault = Fault.make("refuse_tenants", status=self.server.refuse_tenants)
        return None if fault is None else error(fault.status, fault.code, fault.msg)

    def _answer(self, answer: Answer) -> None:
        if answer.drop:
            self._wait_latency()
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if answer.trickle:
            return self._trickle(answer.body, answer.trickle)
        self._send(answer.status, answer.body, answer.headers)

    def _echo_key(self, fault: Fault) -> None:
        """An upstream that quotes the request's credentials back, as some gateways do."""
        authorization = self.headers.get("Authorization", "")
        key = authorization.removeprefix("Bearer ")
        msg = f"{fault.msg}: Authorization: {authorization} (api_key={key}, encoded {quote(key, safe='')})"
        self._json(fault.status, {"code": f"{fault.code} {key}", "msg": msg})

    def _trickle(self, body: bytes, seconds: float) -> None:
        """The answer one byte at a time: each byte arrives well within any read timeout."""
        self._wait_latency()
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
        """Carry out a control command (see `control.apply`); a network command's answer also
        says what the network switches now are."""
        try:
            command = json.loads(raw or b"{}")
            control.apply(command, dataset=self.server.dataset, faults=self.server.faults, network=self.server.network)
        except (ValueError, TypeError, KeyError) as exc:
            return self._error(400, "invalid_argument", str(exc))
        dataset = self.server.dataset
        answer: dict[str, Any] = {"ok": True, "size": dataset.length, "tenants": dataset.tenants.length}
        if isinstance(command, dict) and ("network" in command or "reset_network" in command):
            network = self.server.network
            answer["network"] = {
                "latency_ms": network.latency_ms, "bandwidth_kbps": network.bandwidth_kbps,
                "max_limit": network.max_limit,
            }  # fmt: skip
        self._json(200, answer)
