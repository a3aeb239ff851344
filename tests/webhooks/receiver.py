"""A real HTTP receiver for webhook tests (a threaded http.server on loopback), doing what the
README tells receivers to do: check the signature and timestamp, and process each idempotency key once.

`answers` scripts the status codes of successive requests (then 200); `hold` makes the handler
wait (after recording and processing the request, before answering) until `release` is set.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from hotlines.services.webhooks.signing import webhook_signature_verify


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    signature_ok: bool


@dataclass
class Receiver:
    secret: str
    answers: list[int] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    processed: dict[str, int] = field(default_factory=dict)  # idempotency key -> times processed
    hold: threading.Event | None = None
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = dict(self.headers.items())
                ok = webhook_signature_verify(
                    secret=receiver.secret,
                    timestamp=headers.get("X-Etelecom-Timestamp", ""),
                    signature=headers.get("X-Etelecom-Signature", ""),
                    body=body,
                    now=time.time(),
                )
                receiver.requests.append(Received(headers=headers, body=body, signature_ok=ok))
                code = receiver.answers.pop(0) if receiver.answers else 200
                key = headers.get("Idempotency-Key", "")
                if ok and 200 <= code < 300 and key not in receiver.processed:
                    receiver.processed[key] = 1  # done once; a retry with the same key is acknowledged only
                if receiver.hold is not None and receiver.hold.is_set():
                    receiver.held.set()
                    receiver.release.wait(60)
                self.send_response(code if ok else 401)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.release.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
