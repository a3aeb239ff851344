"""HTTP client for eTelecom's Partner API. It knows HTTP and JSON, never the ORM.

`EtelecomClient` holds the Partner API's methods and the paging guards, one implementation for
every list (`types.Listing` says what differs: the method, the key of its items, their type);
the HTTP underneath (session, retries, deadline, reading answers, mapping errors) is
`transport.BaseClient`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from .. import iterators
from . import exceptions as exc
from .decoding import loads, next_cursor
from .transport import ANSWER_BYTES_SLACK, BaseClient
from .types import HOTLINES, TENANTS, HotlinePage, Listing, RawPage, TenantPage

logger = logging.getLogger(__name__)

# The most items a page may hold beyond the `limit` asked: more is a broken upstream.
OVERSIZE_FACTOR = 10
MAX_CONSECUTIVE_EMPTY_PAGES = 3
# Pages read ahead of the consumer: the next request goes out as soon as an answer is read, even
# while the sync still compares and writes the page before (over the internet, each answer waits
# out a latency the sync's own work then hides behind). Bounds memory to a few pages.
READ_AHEAD_PAGES = 3
LIMIT_WHEN_UNSET = 1000  # the most eTelecom serves a page: the budget when no `limit` is sent


class EtelecomClient(BaseClient):
    """A client for one eTelecom partner account. One `requests.Session`, retries built in.

    Page sizes are learned: a list read with a `limit` asks for it on its first page, and if
    that answer comes back cut (fewer items, but a `next` cursor) eTelecom serves no more than
    that, so every later page asks for what it served. The sync never asks for more than the
    connection's page size (its configured maximum), and gets the largest page eTelecom honours
    up to it without a wasted call. `page_sizes` holds, per list ("hotlines", "tenants"), the
    size the last read asked for after its first page.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.page_sizes: dict[str, int] = {}

    def get_partner_hotline_list(self, *, after: str = "", limit: int | None = None, page: int = 1) -> HotlinePage:
        """One page of `GetPartnerHotlineList`, starting after the cursor `after`."""
        return self._get_page(HOTLINES, after=after, limit=limit, page=page)

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
        return self._iter_pages(HOTLINES, limit=limit, max_pages=max_pages, read_ahead=read_ahead)

    def get_partner_tenant_list(
        self, *, after: str = "", limit: int | None = None, page: int = 1, name: str = "", owner_id: str = ""
    ) -> TenantPage:
        """One page of `GetPartnerTenantList` (filtered by `name` and `owner_id` when given).

        Raises NotAvailable when eTelecom refuses this method to the key (403, 404, or the codes
        `permission_denied`/`bad_route`); 401 stays an AuthError, as the key itself is wrong.
        """
        filters = _filters(name=name, owner_id=owner_id)
        return self._get_page(TENANTS, after=after, limit=limit, page=page, filters=filters)

    def iter_tenant_pages(
        self,
        *,
        limit: int | None = None,
        max_pages: int = 100_000,
        read_ahead: bool = False,
        name: str = "",
        owner_id: str = "",
    ) -> Iterator[TenantPage]:
        """Every page of the tenant list, with the hotline list's guarantees (see `iter_hotline_pages`).

        Raises NotAvailable, at the first page, when eTelecom refuses this method to the key.
        """
        filters = _filters(name=name, owner_id=owner_id)
        return self._iter_pages(TENANTS, limit=limit, max_pages=max_pages, read_ahead=read_ahead, filters=filters)

    # --- one implementation for every list ---------------------------------------------------

    def _get_page[PageT](
        self, listing: Listing[Any, PageT], *, after: str, limit: int | None, page: int, filters: dict | None = None
    ) -> PageT:
        with self._redacting():
            return _parse(self._fetch_page(listing, after=after, limit=limit, page=page, filters=filters))

    def _iter_pages[PageT](
        self,
        listing: Listing[Any, PageT],
        *,
        limit: int | None,
        max_pages: int,
        read_ahead: bool,
        filters: dict | None = None,
    ) -> Iterator[PageT]:
        raw_pages = self._iter_raw_pages(listing, limit=limit, max_pages=max_pages, filters=filters)
        if read_ahead:
            raw_pages = iterators.read_ahead(raw_pages, name=f"etelecom-fetch-{listing.key}", depth=READ_AHEAD_PAGES)
        pages = "pages" if listing is HOTLINES else f"{listing.page_label}s"
        empty_run = 0
        with closing(raw_pages), self._redacting():
            for fetched in raw_pages:
                raw = fetched.decode(self) if isinstance(fetched, _Undecoded) else fetched
                empty_run = 0 if raw.items or not raw.paging.next else empty_run + 1
                if empty_run >= MAX_CONSECUTIVE_EMPTY_PAGES:
                    raise exc.BadPayload(
                        f"eTelecom sent {empty_run} empty {pages} in a row that still point to a next page "
                        f"({listing.where(raw.number)})"
                    )
                yield _parse(raw)

    def _fetch_page[PageT](
        self, listing: Listing[Any, PageT], *, after: str, limit: int | None, page: int, filters: dict | None
    ) -> RawPage[PageT]:
        body = self._fetch_body(listing, after=after, limit=limit, page=page, filters=filters)
        return self._decode_page(listing, body, limit=limit, page=page)

    def _fetch_body(
        self, listing: Listing[Any, Any], *, after: str, limit: int | None, page: int, filters: dict | None
    ) -> bytes:
        """One answer of `listing`, as the bytes eTelecom sent (the errors already mapped)."""
        paging: dict[str, Any] = {}
        if after:
            paging["after"] = after
        if limit:
            paging["limit"] = limit
        body: dict[str, Any] = {"filter": filters, "paging": paging} if filters else {"paging": paging}
        budget = self.answer_bytes_per_hotline * (limit or LIMIT_WHEN_UNSET) + ANSWER_BYTES_SLACK
        return self._request(
            listing.method,
            body,
            context=listing.where(page),
            max_bytes=budget,
            items=listing.key,
            refusable=listing.refusable,
            raw=True,
        )

    def _decode_page[PageT](
        self, listing: Listing[Any, PageT], body: bytes, *, limit: int | None, page: int, cursor: str | None = None
    ) -> RawPage[PageT]:
        """An answer's envelope, decoded and checked; with `cursor` (read from the answer's end,
        and already followed), it must be the envelope's `paging.next`."""
        where = listing.where(page)
        result = _envelope(listing, loads(body, where=f" on {where}", status=200), page=page)
        if limit and len(result.items) > limit * OVERSIZE_FACTOR:
            raise exc.BadPayload(
                f"eTelecom returned {len(result.items):,} {listing.key} on {where}, far more than the {limit} asked for"
            )
        if cursor is not None and result.paging.next != cursor:  # a body read two ways: never the API's
            raise exc.BadPayload(f"eTelecom sent an answer on {where} whose paging cursor could not be read reliably")
        return result

    def _iter_raw_pages[PageT](
        self, listing: Listing[Any, PageT], *, limit: int | None, max_pages: int, filters: dict | None
    ) -> Iterator[RawPage[PageT] | _Undecoded]:
        """The answers in order, each as soon as its cursor is known: paging is sequential, so
        what happens between an answer and the next request is the wait of every page. After the
        first page (decoded here: its size teaches the page size) the cursor is read from the
        answer's end and the next request goes out at once; the page itself is decoded, checked
        and parsed by the consumer (`_Undecoded`), while eTelecom prepares the next one. An answer
        whose cursor cannot be read that way is decoded here, as before."""
        after = ""
        seen: set[str] = set()
        number = 0
        pages = "pages" if listing is HOTLINES else f"{listing.page_label}s"
        while True:
            number += 1
            if number > max_pages:
                raise exc.BadPayload(f"eTelecom kept sending {pages} past the limit of {max_pages:,} pages")
            body = self._fetch_body(listing, after=after, limit=limit, page=number, filters=filters)
            cursor = next_cursor(body) if number > 1 else None
            if cursor is None:
                page = self._decode_page(listing, body, limit=limit, page=number)
                cursor = page.paging.next
                if number == 1 and limit:
                    limit = self._learn_page_size(listing, asked=limit, served=len(page.items), more=bool(cursor))
                yield page
            else:
                yield _Undecoded(listing=listing, body=body, number=number, limit=limit, cursor=cursor)
            if not cursor:
                return
            if cursor in seen or cursor == after:
                raise exc.BadPayload(
                    f"eTelecom sent the same paging cursor twice ({listing.where(number)}); the list would never end"
                )
            seen.add(cursor)
            after = cursor

    def _learn_page_size(self, listing: Listing[Any, Any], *, asked: int, served: int, more: bool) -> int:
        """The `limit` to ask for after a first page that asked `asked` and got `served` items:
        what eTelecom served when it cut the page (fewer, but more to come), else `asked`. Never
        more than asked: the caller's limit is the configured maximum."""
        size = served if more and 0 < served < asked else asked
        if size != asked:
            logger.info(
                "eTelecom serves at most %s %s a page (%s asked): asking for %s from now on",
                served, listing.key, asked, size,
            )  # fmt: skip
        self.page_sizes[listing.key] = size
        return size


@dataclass(frozen=True, slots=True)
class _Undecoded:
    """An answer whose cursor was read from its end and followed: the consumer decodes it."""

    listing: Listing[Any, Any]
    body: bytes
    number: int
    limit: int | None
    cursor: str

    def decode(self, client: EtelecomClient) -> RawPage[Any]:
        """The answer's envelope, decoded and checked as any other (and its cursor must agree)."""
        return client._decode_page(self.listing, self.body, limit=self.limit, page=self.number, cursor=self.cursor)


def _envelope[PageT](listing: Listing[Any, PageT], payload: Any, *, page: int) -> RawPage[PageT]:
    try:
        return RawPage.from_payload(payload, number=page, listing=listing)
    except exc.BadPayload as e:
        raise exc.BadPayload(f"eTelecom sent an unexpected answer on {listing.where(page)} ({e})") from e


def _filters(*, name: str, owner_id: str) -> dict[str, str]:
    """The tenant list's `filter`: only what is set (an empty `name` might be read as "no name")."""
    return {key: value for key, value in (("name", name), ("owner_id", owner_id)) if value}


def _parse[PageT](raw: RawPage[PageT]) -> PageT:
    try:
        return raw.parse()
    except exc.BadPayload as e:
        raise exc.BadPayload(f"eTelecom sent an unexpected answer on {raw.listing.where(raw.number)} ({e})") from e
