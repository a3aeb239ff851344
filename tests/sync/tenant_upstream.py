"""A tenant list beside the sandbox's hotlines, served by a client that wraps the real one.

The hotlines come from the sandbox over HTTP as always; the tenant pages are built here and
parsed by `types.Tenant.from_payload`, page by page as the client does (so a bad payload fails
at its page), and any exception (a refusal, a server error) can be raised at any page.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from hotlines.etelecom import types
from hotlines.etelecom.client import EtelecomClient

OWNER_WITHOUT_HOTLINES = "1100000000099999999"


@dataclass
class TenantUpstream:
    """What the fake tenant list serves: its payloads, page size, and a fault at a page."""

    items: list[dict] = field(default_factory=list)
    page_size: int | None = None  # None: the sync's `limit` (the connection's page size)
    fail: BaseException | None = None
    fail_page: int = 1
    delay: float = 0.0  # seconds before each page (a slow upstream)
    limits: list[int | None] = field(default_factory=list)  # the `limit` each read asked for
    read_aheads: list[bool] = field(default_factory=list)

    def by_id(self, etelecom_id: str) -> dict:
        return next(item for item in self.items if item["id"] == etelecom_id)

    def patch(self, etelecom_id: str, **values) -> None:
        self.by_id(etelecom_id).update(values)

    def remove(self, etelecom_id: str) -> dict:
        item = self.by_id(etelecom_id)
        self.items.remove(item)
        return item


def tenant_payload(n: int, *, owner_id: str, connection_id: str = "1120000000000104729", **extra) -> dict:
    """One tenant as GetPartnerTenantList sends it."""
    return {
        "id": str(8_100_000_000_000_000_000 + n),
        "name": f"Công ty Tổng đài số {n}",
        "domain": f"pbx{n}.example.vn",
        "owner_id": owner_id,
        "status": "P",
        "connection_id": connection_id,
        "connection_method": "unknown",
        "created_at": "2026-10-01T08:00:00Z",
        "updated_at": "2026-10-02T08:00:00Z",
        **extra,
    }


def tenants_for(hotlines: list[dict]) -> list[dict]:
    """Tenants consistent with the sandbox's hotlines: the busiest owner has two tenants, the next
    five one each, the last owners none; one tenant owns no hotline, one has no owner at all."""
    owners = sorted({item["owner_id"] for item in hotlines}, key=lambda owner: (-_count(hotlines, owner), owner))
    items = [tenant_payload(0, owner_id=owners[0]), tenant_payload(1, owner_id=owners[0], status="N")]
    items += [tenant_payload(n + 2, owner_id=owner) for n, owner in enumerate(owners[1:6])]
    items.append(tenant_payload(7, owner_id=OWNER_WITHOUT_HOTLINES, status="Z"))
    items.append(tenant_payload(8, owner_id=""))
    return items


def _count(hotlines: list[dict], owner: str) -> int:
    return sum(1 for item in hotlines if item["owner_id"] == owner)


class TenantClient:
    """The real client for hotlines, with `iter_tenant_pages` served from a `TenantUpstream`."""

    def __init__(self, real: EtelecomClient, upstream: TenantUpstream) -> None:
        self.real, self.upstream = real, upstream

    def iter_hotline_pages(self, **kwargs) -> Iterator[types.HotlinePage]:
        return self.real.iter_hotline_pages(**kwargs)

    def iter_tenant_pages(
        self, *, limit: int | None = None, max_pages: int = 100_000, read_ahead: bool = False
    ) -> Iterator[types.TenantPage]:
        self.upstream.limits.append(limit)
        self.upstream.read_aheads.append(read_ahead)
        return self._pages(self.upstream.page_size or limit or 100)

    def _pages(self, size: int) -> Iterator[types.TenantPage]:
        upstream = self.upstream
        items = [dict(item) for item in upstream.items]  # as of the request
        chunks = [items[start : start + size] for start in range(0, len(items), size)] or [[]]
        for number, chunk in enumerate(chunks, start=1):
            time.sleep(upstream.delay)
            if upstream.fail is not None and number == upstream.fail_page:
                raise upstream.fail
            tenants = tuple(types.Tenant.from_payload(item, where=f"tenant {i}") for i, item in enumerate(chunk, 1))
            yield types.TenantPage(number=number, tenants=tenants, paging=types.Paging(next=""))

    def close(self) -> None:
        self.real.close()
