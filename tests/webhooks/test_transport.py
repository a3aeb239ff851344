"""Posting once: to the checked address only, TLS named for the host, answers read only a few KB."""

from __future__ import annotations

import ipaddress
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from hotlines.services.webhooks.transport import MAX_ANSWER_BYTES, PinnedAdapter, pinned_url, webhook_post


def test_the_url_is_pinned_to_the_checked_address_with_the_original_host_header():
    assert pinned_url("https://hooks.example.vn:8443/a?b=1", ipaddress.ip_address("203.0.113.7")) == (
        "https://203.0.113.7:8443/a?b=1",
        "hooks.example.vn:8443",
    )
    assert pinned_url("https://hooks.example.vn/", ipaddress.ip_address("2001:db8::7")) == (
        "https://[2001:db8::7]/",
        "hooks.example.vn",
    )


def test_tls_still_verifies_and_names_the_host_not_the_address():
    adapter = PinnedAdapter("hooks.example.vn")
    request = requests.Request("POST", "https://203.0.113.7/x").prepare()
    host, pool = adapter.build_connection_pool_key_attributes(request, True)
    assert host["host"] == "203.0.113.7"
    assert (pool["server_hostname"], pool["assert_hostname"]) == ("hooks.example.vn", "hooks.example.vn")
    assert "ssl_context" in pool or pool.get("cert_reqs") == "CERT_REQUIRED"


def test_a_rebinding_name_is_never_connected_to():
    def rebinding(host, port, **kwargs):
        return [(2, 1, 6, "", ("169.254.169.254", port))]

    result = webhook_post(url="https://hooks.example.vn/x", body=b"{}", headers={}, timeout=1, resolver=rebinding)
    assert result.code is None and "metadata" in result.error and not result.ok


@pytest.fixture
def flood():
    """A receiver answering 500 with a body of 50 MB, sent slowly."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(500)
            self.send_header("Content-Length", str(50 * 1024 * 1024))
            self.end_headers()
            try:
                for _ in range(50 * 1024):
                    self.wfile.write(b"<b>" * 341 + b"x")
            except OSError:
                pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/x"
    server.shutdown()
    server.server_close()


def test_a_huge_answer_is_read_only_a_few_kb(flood):
    started = time.monotonic()
    result = webhook_post(url=flood, body=b"{}", headers={}, timeout=5)
    assert result.code == 500 and result.error.startswith("HTTP 500: <b>")
    assert len(result.error) <= 500 and MAX_ANSWER_BYTES <= 4096
    assert time.monotonic() - started < 10  # 50 MB were never read
