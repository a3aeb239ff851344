"""HTTP client for eTelecom's Partner API. It knows HTTP and JSON, never the ORM."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import closing
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, ProtocolError, ReadTimeoutError
from urllib3.util.retry import Retry

from .. import iterators
from . import exceptions as exc
from .types import HotlinePage, RawHotlinePage

logger = logging.getLogger(__name__)

RETRY_STATUSES = (429, 500, 502, 503, 504)
# The most hotlines a page may hold beyond the `limit` asked: more is a broken upstream.
OVERSIZE_FACTOR = 10
MAX_CONSECUTIVE_EMPTY_PAGES = 3


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
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = (min(connect_timeout, timeout), timeout)
        self.retries = retries
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
        self.session.close()

    def __enter__(self) -> EtelecomClient:
        return self

    def __exit__(self, *args: object) -> None:
        self.close()

    # --- Partner API -----------------------------------------------------------------

    def get_partner_hotline_list(self, *, after: str = "", limit: int | None = None, page: int = 1) -> HotlinePage:
        """One page of `GetPartnerHotlineList`, starting after the cursor `after`."""
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
        with closing(raw_pages):
            for raw in raw_pages:
                yield _parse(raw)

    def _fetch_page(self, *, after: str, limit: int | None, page: int) -> RawHotlinePage:
        paging: dict[str, Any] = {}
        if after:
            paging["after"] = after
        if limit:
            paging["limit"] = limit
        payload = self._request("GetPartnerHotlineList", {"paging": paging}, context=f"page {page}")
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

    def _request(self, method: str, body: dict[str, Any], *, context: str = "") -> Any:
        """POST one Partner API method and return its decoded JSON, or raise an EtelecomError."""
        url = f"{self.base_url}/{method}"
        where = f" on {context}" if context else ""
        after_retries = f" after {self.retries} retries" if self.retries else ""
        try:
            response = self.session.post(url, data=json.dumps(body), timeout=self.timeout)
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
        return self._decode(response, where=where, after_retries=after_retries)

    def _decode(self, response: requests.Response, *, where: str, after_retries: str) -> Any:
        status = response.status_code
        if status == 200:
            try:
                return response.json()
            except ValueError as e:
                raise exc.BadPayload(f"eTelecom sent malformed JSON{where}", status=status) from e
        code, msg = _error_body(response)
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


def _error_body(response: requests.Response) -> tuple[str, str]:
    """eTelecom's {code, msg}, or ('', '') when the body is something else."""
    try:
        body = response.json()
    except ValueError:
        return "", ""
    if not isinstance(body, dict):
        return "", ""
    code, msg = body.get("code"), body.get("msg")
    return (str(code)[:100] if code else ""), (str(msg)[:300] if msg else "")


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
