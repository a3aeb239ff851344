"""HTTP client for eTelecom's Partner API. It knows HTTP and JSON, never the ORM.

`EtelecomClient` holds the Partner API's methods and the paging guards; the HTTP underneath
(session, retries, deadline, reading answers, mapping errors) is `transport.BaseClient`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import closing
from typing import Any

from .. import iterators
from . import exceptions as exc
from .transport import ANSWER_BYTES_SLACK, BaseClient
from .types import HotlinePage, RawHotlinePage

logger = logging.getLogger(__name__)

# The most hotlines a page may hold beyond the `limit` asked: more is a broken upstream.
OVERSIZE_FACTOR = 10
MAX_CONSECUTIVE_EMPTY_PAGES = 3
LIMIT_WHEN_UNSET = 1000  # the most eTelecom serves a page: the budget when no `limit` is sent


class EtelecomClient(BaseClient):
    """A client for one eTelecom partner account. One `requests.Session`, retries built in."""

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


def _parse(raw: RawHotlinePage) -> HotlinePage:
    try:
        return raw.parse()
    except exc.BadPayload as e:
        raise exc.BadPayload(f"eTelecom sent an unexpected answer on page {raw.number} ({e})") from e
