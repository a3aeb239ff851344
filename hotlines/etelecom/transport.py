"""HTTP for eTelecom's Partner API: the session, its retries and deadline, answers read within a
byte budget, and every transport failure (requests, urllib3, ssl) mapped to the client's own
exceptions. It knows HTTP and JSON, never the ORM; `client.py` adds the Partner API's methods."""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Self

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import DecodeError, HTTPError, MaxRetryError, ProtocolError, ReadTimeoutError
from urllib3.util.retry import Retry

from . import exceptions as exc
from .decoding import error_body, loads
from .redaction import Redactor
from .status_errors import error_for, redirect_error

RETRY_STATUSES = (429, 500, 502, 503, 504)
# What an answer may weigh (decoded bytes) per item asked for, plus a fixed allowance for the
# envelope: a hotline is ~400 bytes of JSON (a tenant less), so 4 KiB leaves room for long
# descriptions while a 1,000-item page stays under ~5 MiB, which Python decodes into well under
# 300 MB whatever it holds.
ANSWER_BYTES_PER_HOTLINE = 4096
ANSWER_BYTES_SLACK = 1024 * 1024
ERROR_BODY_MAX_BYTES = 64 * 1024  # an error's {code, msg} is tiny; more is not worth reading
READ_CHUNK = 256 * 1024  # large reads keep the per-page overhead of streaming negligible
CALL_DEADLINE = 60.0
MAX_CAUSE_DEPTH = 10  # how far down an error's causes a TLS failure is looked for


class BaseClient:
    """HTTP for one eTelecom partner account: one `requests.Session`, retries built in."""

    user_agent = "etelecom-admin/1.0"

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        # Each wait on the socket (seconds): to connect, and for the next bytes of an answer.
        timeout: float = 30.0,
        connect_timeout: float = 5.0,
        # urllib3's retries of a failed call: connection errors, 429 and 5xx, with backoff.
        retries: int = 3,
        backoff_factor: float = 0.5,
        backoff_max: float = 30.0,
        retry_after_max: int = 120,
        # Bounds on a whole call (the retries included) and on what an answer may weigh.
        deadline: float = CALL_DEADLINE,
        answer_bytes_per_hotline: int = ANSWER_BYTES_PER_HOTLINE,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = (min(connect_timeout, timeout), timeout)
        self.retries = retries
        self.deadline = deadline
        self.answer_bytes_per_hotline = answer_bytes_per_hotline
        self._redactor = Redactor(api_key)
        self._closed = False
        self._lock = threading.Lock()
        self._reading: set[requests.Response] = set()  # answers being read, for close() to cut
        self.session = requests.Session()
        self.session.headers.update(
            {
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": f"Bearer {api_key}",
                "User-Agent": self.user_agent,
            }
        )
        retry = Retry(
            total=retries,
            connect=retries,
            read=retries,
            status=retries,
            other=0,
            # The list methods only read, so replaying their POST is safe.
            allowed_methods=frozenset({"POST"}),
            status_forcelist=RETRY_STATUSES,
            backoff_factor=backoff_factor,
            backoff_max=backoff_max,
            backoff_jitter=backoff_factor,
            respect_retry_after_header=True,
            retry_after_max=retry_after_max,
            raise_on_status=False,  # the last answer is mapped to our own exception below
            redirect=0,
        )
        adapter = HTTPAdapter(max_retries=retry, pool_connections=1, pool_maxsize=2)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def close(self) -> None:
        """Close the session. Safe from another thread: an answer being read there ends promptly."""
        self._closed = True
        with self._lock:
            reading = list(self._reading)
        for response in reading:
            _shutdown(response)
        self.session.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *args: object) -> None:
        self.close()

    def _redacting(self) -> AbstractContextManager[None]:
        return self._redactor.scrubbing()

    def _request(
        self,
        method: str,
        body: dict[str, Any],
        *,
        context: str = "",
        max_bytes: int = 0,
        items: str = "hotlines",
        refusable: str = "",
        raw: bool = False,
    ) -> Any:
        """POST one Partner API method and return its decoded JSON (with `raw`, the body's bytes,
        for the caller to decode), or raise an EtelecomError.

        The answer is read streamed, at most `max_bytes` decoded bytes (the budget of the `items`
        asked for), and the whole call (the retries included) must end within the client's
        deadline. With `refusable` (how messages name the method's data, "the tenant list"),
        eTelecom refusing this method to the key is a NotAvailable rather than an AuthError.
        """
        answer = _Answer(max_bytes=max_bytes or ANSWER_BYTES_SLACK, items=items, refusable=refusable, raw=raw)
        with self._redacting():
            return self._post(method, body, context=context, answer=answer)

    def _post(self, method: str, body: dict[str, Any], *, context: str, answer: _Answer) -> Any:
        url = f"{self.base_url}/{method}"
        where = f" on {context}" if context else ""
        after_retries = f" after {self.retries} retries" if self.retries else ""
        if self._closed:
            raise exc.ConnectionFailed(f"The eTelecom client was closed{where}")
        deadline = time.monotonic() + self.deadline
        connect_timeout, read_timeout = self.timeout
        # No single wait may outlast the deadline (a read is re-armed with what remains below).
        timeout = (min(connect_timeout, self.deadline), min(read_timeout, self.deadline))
        try:
            response = self.session.post(
                url, data=json.dumps(body), timeout=timeout, stream=True, allow_redirects=False
            )
        except requests.exceptions.ConnectTimeout as e:
            raise exc.Timeout(f"eTelecom did not accept the connection in time{where}{after_retries}") from e
        except requests.exceptions.ReadTimeout as e:
            raise exc.Timeout(f"eTelecom timed out{where}{after_retries}") from e
        except requests.exceptions.SSLError as e:
            raise exc.TlsError(f"TLS handshake with eTelecom failed{where}: {_reason(e)}") from e
        except requests.exceptions.ConnectionError as e:
            reason = _root_reason(e)
            if isinstance(reason, ReadTimeoutError):
                raise exc.Timeout(f"eTelecom timed out{where}{after_retries}") from e
            if isinstance(reason, ProtocolError):
                raise _unreachable(f"eTelecom closed the connection{where}{after_retries}", e) from e
            raise _unreachable(f"eTelecom could not be reached at {self.base_url}{where}{after_retries}", e) from e
        except requests.exceptions.RequestException as e:
            raise _unreachable(f"The request to eTelecom failed{where}: {_reason(e)}", e) from e
        with self._lock:
            self._reading.add(response)
        complete = False
        try:
            result = self._decode(response, where=where, after_retries=after_retries, answer=answer, deadline=deadline)
            complete = True
            return result
        finally:
            with self._lock:
                self._reading.discard(response)
            if complete:
                response.raw.release_conn()  # read to the end: the connection can serve the next page
            else:
                response.close()  # cut off mid-answer: the connection is unusable

    def _decode(
        self, response: requests.Response, *, where: str, after_retries: str, answer: _Answer, deadline: float
    ) -> Any:
        status = response.status_code
        if 300 <= status < 400:
            raise redirect_error(status, url=response.url, location=response.headers.get("Location", ""), where=where)
        if status == 200:
            body = self._read(response, max_bytes=answer.max_bytes, deadline=deadline, where=where, items=answer.items)
            return body if answer.raw else loads(body, where=where, status=status)
        body = self._read(response, max_bytes=ERROR_BODY_MAX_BYTES, deadline=deadline, where=where, cut=True)
        code, msg = error_body(body, self._redactor)
        raise error_for(status, code, msg, where=where, after_retries=after_retries, refusable=answer.refusable)

    def _read(
        self,
        response: requests.Response,
        *,
        max_bytes: int,
        deadline: float,
        where: str,
        cut: bool = False,
        items: str = "hotlines",
    ) -> bytes:
        """The decoded body, read in large chunks: at most `max_bytes` (more is a BadPayload, or
        with `cut` the first `max_bytes`), and before the deadline, which each socket wait is
        bounded by, so a trickle of bytes is noticed."""
        raw = response.raw
        sock = _socket(response)
        read_timeout = self.timeout[1]
        chunks: list[bytes] = []
        size = 0
        try:
            while True:
                remaining = deadline - time.monotonic()
                if self._closed:
                    raise exc.ConnectionFailed(f"The eTelecom client was closed while reading the answer{where}")
                if remaining <= 0:
                    raise exc.Timeout(f"eTelecom did not finish answering{where} within {self.deadline:g} seconds")
                if sock is not None:
                    sock.settimeout(max(min(read_timeout, remaining), 0.001))
                chunk = raw.read1(READ_CHUNK, decode_content=True)
                if not chunk:
                    return b"".join(chunks)
                size += len(chunk)
                if size > max_bytes:
                    if cut:
                        chunks.append(chunk[: max_bytes - size])
                        return b"".join(chunks)
                    raise exc.BadPayload(
                        f"eTelecom's answer{where} is larger than the {max_bytes:,} bytes allowed "
                        f"for the {items} asked for; the dashboard stopped reading it",
                        status=response.status_code,
                    )
                chunks.append(chunk)
        except exc.EtelecomError:
            raise
        except (ReadTimeoutError, TimeoutError) as e:
            if time.monotonic() >= deadline:
                raise exc.Timeout(f"eTelecom did not finish answering{where} within {self.deadline:g} seconds") from e
            raise exc.Timeout(f"eTelecom timed out{where}") from e
        except DecodeError as e:
            raise exc.BadPayload(f"eTelecom sent a compressed answer that could not be decompressed{where}") from e
        except (HTTPError, OSError, ValueError) as e:  # ProtocolError, a reset, a read on a closed file
            if self._closed:
                raise _unreachable(f"The eTelecom client was closed while reading the answer{where}", e) from e
            raise _unreachable(f"eTelecom closed the connection{where}", e) from e


@dataclass(frozen=True, slots=True)
class _Answer:
    """What a call's answer may be: its byte budget, what it holds, whether its method may be
    refused alone, and whether the caller decodes it (`raw`)."""

    max_bytes: int
    items: str
    refusable: str
    raw: bool = False


def _socket(response: requests.Response) -> socket.socket | None:
    connection = getattr(response.raw, "connection", None)
    sock = getattr(connection, "sock", None)
    return sock if isinstance(sock, socket.socket) else None


def _shutdown(response: requests.Response) -> None:
    """Make a read blocked on this answer's socket (in another thread) return at once."""
    sock = _socket(response)
    if sock is None:
        return
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed


def _unreachable(message: str, error: BaseException) -> exc.ConnectionFailed | exc.TlsError:
    """ConnectionFailed, or TlsError when TLS is what failed: requests and urllib3 wrap ssl's
    errors in their own (a ProtocolError mid-answer, a ConnectionError), so the causes are read."""
    return (exc.TlsError if _is_tls(error) else exc.ConnectionFailed)(message)


def _is_tls(error: BaseException) -> bool:
    seen: BaseException | None = error
    for _depth in range(MAX_CAUSE_DEPTH):
        if seen is None:
            return False
        if isinstance(seen, (requests.exceptions.SSLError, ssl.SSLError)):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _root_reason(error: Exception) -> BaseException | None:
    arg = error.args[0] if error.args else None
    if isinstance(arg, MaxRetryError):
        return arg.reason
    return arg if isinstance(arg, BaseException) else None


def _reason(error: Exception) -> str:
    reason = _root_reason(error)
    return str(reason or error)[:200]
