"""Posting one webhook body once: no retries here (the delivery's own schedule retries), no
redirects, a connect and read timeout, a total deadline on the answer, and at most a few KB of it
read. The host is resolved and checked right before the post, and the connection goes to exactly
that checked address (TLS still verified for the host's name), so a DNS answer that changes
between the check and the connection (rebinding) cannot reach a refused address."""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

from .addresses import Resolver, UnsafeAddress, webhook_addresses

MAX_ANSWER_BYTES = 4096  # read of the receiver's answer, for the log
ERROR_LENGTH = 500


@dataclass(frozen=True, slots=True)
class PostResult:
    """How one post went: the receiver's status code (None when there was no answer) and why it failed."""

    code: int | None
    error: str
    ms: int

    @property
    def ok(self) -> bool:
        return self.code is not None and 200 <= self.code < 300 and not self.error


class PinnedAdapter(HTTPAdapter):
    """Connects to the URL's (already checked) IP address while TLS verifies and names `hostname`."""

    def __init__(self, hostname: str) -> None:
        self.hostname = hostname
        super().__init__(max_retries=0)

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        if host_params.get("scheme") == "https":
            pool_kwargs["server_hostname"] = self.hostname
            pool_kwargs["assert_hostname"] = self.hostname
        return host_params, pool_kwargs


def pinned_url(url: str, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> tuple[str, str]:
    """The URL with its host replaced by `address`, and the Host header the receiver expects."""
    parts = urlsplit(url)
    literal = f"[{address}]" if address.version == 6 else str(address)
    netloc = literal + (f":{parts.port}" if parts.port else "")
    host_header = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, "")), host_header


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text[: ERROR_LENGTH - 1] + "…" if len(text) > ERROR_LENGTH else text


def _read_some(response: requests.Response, deadline: float) -> bytes:
    """At most MAX_ANSWER_BYTES of the answer, and nothing after the deadline."""
    data = b""
    for chunk in response.iter_content(chunk_size=1024):
        data += chunk
        if len(data) >= MAX_ANSWER_BYTES or time.monotonic() > deadline:
            break
    return data[:MAX_ANSWER_BYTES]


def webhook_post(
    *, url: str, body: bytes, headers: dict[str, str], timeout: float, resolver: Resolver = socket.getaddrinfo
) -> PostResult:
    """Post `body` to `url` once and say how it went; never raises for the network's or the receiver's faults."""
    started = time.monotonic()

    def result(code: int | None, error: str) -> PostResult:
        return PostResult(code=code, error=_short(error), ms=int((time.monotonic() - started) * 1000))

    try:
        addresses = webhook_addresses(url, resolver=resolver)
    except UnsafeAddress as exc:
        return result(None, str(exc))
    target, host_header = pinned_url(url, addresses[0])
    hostname = (urlsplit(url).hostname or "").strip("[]")
    deadline = started + 2 * timeout
    with requests.Session() as session:
        session.trust_env = False  # no proxy or .netrc from the environment: the checked address only
        session.mount("http://", PinnedAdapter(hostname))
        session.mount("https://", PinnedAdapter(hostname))
        try:
            with session.post(
                target,
                data=body,
                headers={**headers, "Host": host_header},
                timeout=(timeout, timeout),
                allow_redirects=False,
                stream=True,
            ) as response:
                answer = _read_some(response, deadline)
                code = response.status_code
                location = response.headers.get("Location", "")
        except requests.exceptions.SSLError as exc:
            return result(None, f"TLS error: {exc}")
        except requests.exceptions.Timeout:
            return result(None, f"Timed out after {timeout:g} s")
        except requests.exceptions.ConnectionError as exc:
            return result(None, f"Could not connect: {exc}")
        except (requests.exceptions.RequestException, ValueError, OSError) as exc:
            # Anything else the network or a malformed answer raises: a failed try, never a crash.
            return result(None, f"Request failed: {exc}")
    if 200 <= code < 300:
        return result(code, "")
    if 300 <= code < 400:
        return result(code, f"HTTP {code}: redirects are not followed (to {location[:200]})")
    text = answer.decode("utf-8", "replace")
    return result(code, f"HTTP {code}" + (f": {text}" if text.strip() else ""))
