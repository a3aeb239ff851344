"""The home page's tenants: those with the most hotlines, and those with disabled hotlines.

Read from the counts a sync stores on each tenant when it publishes (`Tenant.hotline_count`,
`disabled_count`), through their partial indexes (tenant_live_hotlines, tenant_live_disabled): a
top-N is a short index walk, as cheap as reading a cache, so it is not cached. Caching it under
the hotlines' data version would also keep it stale after a sync that changed only tenants.
"""

from __future__ import annotations

from ..models import Tenant
from .tenancy import live_tenants

HOME_LIMIT = 8
_FIELDS = ("pk", "name", "domain", "etelecom_id", "hotline_count", "enabled_count", "disabled_count")


def tenants_most_hotlines(*, limit: int = HOME_LIMIT) -> list[Tenant]:
    """The live tenants with the most hotlines, most first (ties by ID: a stable order)."""
    return list(live_tenants().filter(hotline_count__gt=0).only(*_FIELDS).order_by("-hotline_count", "-id")[:limit])


def tenants_with_disabled(*, limit: int = HOME_LIMIT) -> list[Tenant]:
    """The live tenants with disabled hotlines, most disabled first."""
    return list(live_tenants().filter(disabled_count__gt=0).only(*_FIELDS).order_by("-disabled_count", "-id")[:limit])
