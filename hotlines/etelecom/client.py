"""HTTP client for eTelecom's Partner API. It knows HTTP and JSON, never the ORM."""

from __future__ import annotations

import json
import logging
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from typing import Any
from urllib.parse import quote, quote_plus, urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import DecodeError, HTTPError, MaxRetryError, ProtocolError, ReadTimeoutError
from urllib3.util.retry import Retry

from .. import iterators
from . import exceptions as exc
from .types import HotlinePage, RawHotlinePage

logger = logging.getLogger(__name__)

RETRY_STATUSES = (429, 500, 502, 503, 504)
# The most hotlines a page may hold beyond the `limit` asked: more is a broken upstream.
OVERSIZE_FACTOR = 10
MAX_CONSECUTIVE_EMPTY_PAGES = 3
# What an answer may weigh (decoded bytes) per hotline asked for, plus a fixed allowance for the
# envelope: a hotline is ~400 bytes of JSON, so 4 KiB leaves room for long descriptions while a
# 1,000-hotline page stays under ~5 MiB, which Python decodes into well under 300 MB whatever it holds.
ANSWER_BYTES_PER_HOTLINE = 4096
ANSWER_BYTES_SLACK = 1024 * 1024
LIMIT_WHEN_UNSET = 1000  # the most eTelecom serves a page: the budget when no `limit` is sent
ERROR_BODY_MAX_BYTES = 64 * 1024  # an error's {code, msg} is tiny; more is not worth reading
READ_CHUNK = 256 * 1024  # large reads keep the per-page overhead of streaming negligible
CALL_DEADLINE = 60.0
REDACTED = "[redacted]"
_BEARER_RE = re.compile(r"(?i)\b(bearer)(\s+|%20|\+)[A-Za-z0-9._~+/=%-]+")
_AUTHORIZATION_RE = re.compile(r"(?i)\b(authorization[\"']?\s*[:=]\s*[\"']?)(?!bearer\b)[^\s\"',;}]+")
MIN_REDACTED_KEY = 6  # shorter "keys" (tests' "k") would blank ordinary words out of messages
KEY_FRAGMENT = 10  # a cut or partly echoed key: any run of this many of its characters is hidden
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
MAX_REPAIR_DEPTH = 64


class EtelecomClient:
    """A client for one eTelecom partner account. One `requests.Session`, retries built in."""

    user_agent = "etelecom-admin/1.0"

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float = 30.0,
        connect_timeout: float = 5.0,
        retries: int = 3,
        backoff_factor: float = 0.5,
        backoff_max: float = 30.0,
        retry_after_max: int = 120,
        deadline: float = CALL_DEADLINE,
        answer_bytes_per_hotline: int = ANSWER_BYTES_PER_HOTLINE,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = (min(connect_timeout, timeout), timeout)
        self.retries = retries
        self.deadline = deadline
        self.answer_bytes_per_hotline = answer_bytes_per_hotline
        self._redactor = _Redactor(api_key)
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
            # GetPartnerHotlineList only reads, so replaying its POST is safe.
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

    def __enter__(self) -> EtelecomClient:
        return self

    def __exit__(self, *args: object) -> None:
        self.close()

    # --- Partner API -----------------------------------------------------------------

    def get_partner_hotline_list(self, *, after: str = "", limit: int | None = None, page: int = 1) -> HotlinePage:
        """One page of `GetPartnerHotlineList`, starting after the cursor `after`."""
        with self._redacting():
            return _parse(self._fetch_page(after=after, limit=limit, page=page))

    def iter_hotline_pages(
        self, *, limit: int | None = None, max_pages: int = 100_000, read_ahead: bool = False
    ) -> Iterator[HotlinePage]:
        """Every page of the hotline list, following `paging.next` until it is empty.

        Guards against upstreams that never end: a cursor seen before, a page cap, and a run
        of empty pages that still point to a next one. With `read_ahead`, the next page is
        requested (from a worker thread) as soon as this one's cursor is known, so eTelecom
        prepares it while this one is parsed and used: the cursor makes pages strictly
        sequential, and this is the only overlap it allows.
        """
        raw_pages = self._iter_raw_pages(limit=limit, max_pages=max_pages)
        if read_ahead:
            raw_pages = iterators.read_ahead(raw_pages, name="etelecom-fetch")
        with closing(raw_pages), self._redacting():
            for raw in raw_pages:
                yield _parse(raw)

    def _fetch_page(self, *, after: str, limit: int | None, page: int) -> RawHotlinePage:
        paging: dict[str, Any] = {}
        if after:
            paging["after"] = after
        if limit:
            paging["limit"] = limit
        budget = self.answer_bytes_per_hotline * (limit or LIMIT_WHEN_UNSET) + ANSWER_BYTES_SLACK
        payload = self._request("GetPartnerHotlineList", {"paging": paging}, context=f"page {page}", max_bytes=budget)
        try:
            result = RawHotlinePage.from_payload(payload, number=page)
        except exc.BadPayload as e:
            raise exc.BadPayload(f"eTelecom sent an unexpected answer on page {page} ({e})") from e
        if limit and len(result.items) > limit * OVERSIZE_FACTOR:
            raise exc.BadPayload(
                f"eTelecom returned {len(result.items):,} hotlines on page {page}, far more than the {limit} asked for"
            )
        return result

    def _iter_raw_pages(self, *, limit: int | None, max_pages: int) -> Iterator[RawHotlinePage]:
        after = ""
        seen: set[str] = set()
        empty_run = 0
        number = 0
        while True:
            number += 1
            if number > max_pages:
                raise exc.BadPayload(f"eTelecom kept sending pages past the limit of {max_pages:,} pages")
            page = self._fetch_page(after=after, limit=limit, page=number)
            yield page
            cursor = page.paging.next
            if not cursor:
                return
            if cursor in seen or cursor == after:
                raise exc.BadPayload(
                    f"eTelecom sent the same paging cursor twice (page {number}); the list would never end"
                )
            seen.add(cursor)
            empty_run = 0 if page.items else empty_run + 1
            if empty_run >= MAX_CONSECUTIVE_EMPTY_PAGES:
                raise exc.BadPayload(
                    f"eTelecom sent {empty_run} empty pages in a row that still point to a next page (page {number})"
                )
            after = cursor

    # --- HTTP ------------------------------------------------------------------------

    @contextmanager
    def _redacting(self) -> Iterator[None]:
        """Scrub the API key from every EtelecomError that leaves the client, whoever built its
        text (an upstream echoing the Authorization header in `msg`, a field value quoted by a
        validation error): the freshness bar, the audit log and the logs all start from here."""
        try:
            yield
        except exc.EtelecomError as error:
            self._redactor.scrub(error)
            raise

    def _request(self, method: str, body: dict[str, Any], *, context: str = "", max_bytes: int = 0) -> Any:
        """POST one Partner API method and return its decoded JSON, or raise an EtelecomError.

        The answer is read streamed, at most `max_bytes` decoded bytes, and the whole call (the
        retries included) must end within the client's deadline.
        """
        with self._redacting():
            return self._post(method, body, context=context, max_bytes=max_bytes or ANSWER_BYTES_SLACK)

    def _post(self, method: str, body: dict[str, Any], *, context: str, max_bytes: int) -> Any:
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
            raise exc.ConnectionFailed(f"TLS handshake with eTelecom failed{where}: {_reason(e)}") from e
        except requests.exceptions.ConnectionError as e:
            reason = _root_reason(e)
            if isinstance(reason, ReadTimeoutError):
                raise exc.Timeout(f"eTelecom timed out{where}{after_retries}") from e
            if isinstance(reason, ProtocolError):
                raise exc.ConnectionFailed(f"eTelecom closed the connection{where}{after_retries}") from e
            raise exc.ConnectionFailed(f"eTelecom could not be reached at {self.base_url}{where}{after_retries}") from e
        except requests.exceptions.RequestException as e:
            raise exc.ConnectionFailed(f"The request to eTelecom failed{where}: {_reason(e)}") from e
        with self._lock:
            self._reading.add(response)
        complete = False
        try:
            result = self._decode(
                response, where=where, after_retries=after_retries, max_bytes=max_bytes, deadline=deadline
            )
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
        self, response: requests.Response, *, where: str, after_retries: str, max_bytes: int, deadline: float
    ) -> Any:
        status = response.status_code
        if 300 <= status < 400:
            location = response.headers.get("Location", "")
            host = urlsplit(urljoin(response.url, location)).hostname if location else ""
            target = f" to {host}" if host else ""
            raise exc.BadRequest(
                f"eTelecom answered with a redirect ({status}){target}{where}; the dashboard does not follow redirects",
                status=status,
            )
        if status == 200:
            body = self._read(response, max_bytes=max_bytes, deadline=deadline, where=where)
            return _loads(body, where=where, status=status)
        body = self._read(response, max_bytes=ERROR_BODY_MAX_BYTES, deadline=deadline, where=where, cut=True)
        code, msg = _error_body(body, self._redactor)
        detail = f"{status} {code}" if code else str(status)
        said = f": {msg}" if msg else ""
        kwargs = {"status": status, "code": code, "msg": msg}
        if status in (401, 403):
            verb = "rejected the API key" if status == 401 else "refused access with this API key"
            raise exc.AuthError(f"eTelecom {verb} ({detail}){said}", **kwargs)
        if status == 429:
            raise exc.RateLimited(f"eTelecom kept rate limiting{where}{after_retries} ({detail}){said}", **kwargs)
        if status >= 500:
            raise exc.ServerError(f"eTelecom had a server error{where}{after_retries} ({detail}){said}", **kwargs)
        if status == 404 or code == "bad_route":
            raise exc.BadRequest(
                f"This base URL does not look like the eTelecom Partner API ({detail}){said}", **kwargs
            )
        raise exc.BadRequest(f"eTelecom rejected the request{where} ({detail}){said}", **kwargs)

    def _read(
        self, response: requests.Response, *, max_bytes: int, deadline: float, where: str, cut: bool = False
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
                        "for the hotlines asked for; the dashboard stopped reading it",
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
                raise exc.ConnectionFailed(f"The eTelecom client was closed while reading the answer{where}") from e
            raise exc.ConnectionFailed(f"eTelecom closed the connection{where}") from e


class _Redactor:
    """Hides an API key (as sent, URL- or JSON-encoded, or a long enough piece of it) and any
    `Bearer <token>` or `Authorization: <value>` in a text."""

    def __init__(self, api_key: str) -> None:
        key = api_key.strip()
        self.secrets: list[str] = []
        self.fragments: list[str] = []
        if len(key) >= MIN_REDACTED_KEY:
            forms = {key, quote(key, safe=""), quote_plus(key), json.dumps(key)[1:-1]}
            self.secrets = sorted(forms, key=len, reverse=True)
        if len(key) >= 2 * KEY_FRAGMENT:
            self.fragments = [key[i : i + KEY_FRAGMENT] for i in range(len(key) - KEY_FRAGMENT + 1)]

    def __call__(self, text: str) -> str:
        if not text:
            return text
        text = _BEARER_RE.sub(rf"\1 {REDACTED}", text)
        text = _AUTHORIZATION_RE.sub(rf"\1{REDACTED}", text)
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return self._without_fragments(text) if self.fragments else text

    def _without_fragments(self, text: str) -> str:
        hidden = [False] * len(text)
        found = False
        for fragment in self.fragments:
            start = text.find(fragment)
            while start != -1:
                found = True
                hidden[start : start + len(fragment)] = [True] * len(fragment)
                start = text.find(fragment, start + 1)
        if not found:
            return text
        out: list[str] = []
        for index, char in enumerate(text):
            if not hidden[index]:
                out.append(char)
            elif index == 0 or not hidden[index - 1]:
                out.append(REDACTED)
        return "".join(out)

    def scrub(self, error: exc.EtelecomError) -> None:
        error.args = tuple(self(arg) if isinstance(arg, str) else arg for arg in error.args)
        error.code = self(error.code)
        error.msg = self(error.msg)


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


def _loads(body: bytes, *, where: str, status: int) -> Any:
    """JSON from an answer: invalid UTF-8 and lone surrogates (`"\\ud800"`, which no database or
    encoder accepts) are replaced by U+FFFD; nesting Python cannot decode is a BadPayload."""
    text = body.decode("utf-8-sig", "replace")
    try:
        payload = json.loads(text)
    except RecursionError as e:
        raise exc.BadPayload(
            f"eTelecom sent JSON nested too deeply to read{where}; it does not look like the eTelecom Partner API",
            status=status,
        ) from e
    except ValueError as e:
        raise exc.BadPayload(f"eTelecom sent malformed JSON{where}", status=status) from e
    if "\\ud" in text or "\\uD" in text:  # the only way a surrogate gets into decoded text
        payload = _repaired(payload, depth=0)
    return payload


def _repaired(value: Any, *, depth: int) -> Any:
    if isinstance(value, str):
        return _SURROGATE_RE.sub("\ufffd", value)
    if depth > MAX_REPAIR_DEPTH:
        return value  # far deeper than the API's answers: types.py refuses it anyway
    if isinstance(value, dict):
        return {_SURROGATE_RE.sub("\ufffd", k): _repaired(v, depth=depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_repaired(v, depth=depth + 1) for v in value]
    return value


def _error_body(body: bytes, redact: _Redactor) -> tuple[str, str]:
    """eTelecom's {code, msg} (the key scrubbed before they are cut short), or ('', '')."""
    try:
        parsed = json.loads(body.decode("utf-8-sig", "replace"))
    except (ValueError, RecursionError):
        return "", ""
    if not isinstance(parsed, dict):
        return "", ""
    code, msg = _scalar(parsed.get("code")), _scalar(parsed.get("msg"))
    return redact(code)[:100], redact(msg)[:300]


def _scalar(value: Any) -> str:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool) and value != "":
        return _SURROGATE_RE.sub("\ufffd", str(value))
    return ""


def _root_reason(error: Exception) -> BaseException | None:
    arg = error.args[0] if error.args else None
    if isinstance(arg, MaxRetryError):
        return arg.reason
    return arg if isinstance(arg, BaseException) else None


def _reason(error: Exception) -> str:
    reason = _root_reason(error)
    return str(reason or error)[:200]


def _parse(raw: RawHotlinePage) -> HotlinePage:
    try:
        return raw.parse()
    except exc.BadPayload as e:
        raise exc.BadPayload(f"eTelecom sent an unexpected answer on page {raw.number} ({e})") from e
