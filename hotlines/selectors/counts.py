"""The hotlines' counts and facets: the list's count and facets, the home page's figures, the
distinct values a filter offers, all cached per data version."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection as db_connection
from django.db.models import Count, QuerySet

from ..models import Hotline
from .caching import cached_if_quick, cached_once
from .connections import ACTIVE_COUNT_SQL, connection_count_remember

# Part of every data version: bumped whenever the shape of a figure cached under it changes, so
# that a cache shared by processes (CACHE_URL) never hands new code a figure of the old shape.
# 2: the totals and the list's groups count per eTelecom account too.
# 3: the totals hold the connection methods found (`methods`).
CACHED_SHAPE = 3

# Fields whose distinct values are the keys of HotlineTotals.by_group
# (is_removed, network, status, connection_id).
TOTALS_FIELDS = {"network": 1, "status": 2}


def data_version() -> str:
    """Changes whenever the hotlines change: a cache key part for figures derived from the data.

    Every write of a sync moves the highest hotline ID (new rows) or the latest `last_changed_at`
    (changed, removed, reappeared rows). A sync that changed nothing leaves it alone, so the
    cached counts of every web process survive the routine no-change syncs (under load, dropping
    them all at once sent every process back to counting a million rows). Two index-only lookups,
    and two more for the tenants' version (`tenant_data_version`), remembered for the request with
    the number of active accounts (`connection_count`), which the list page asks for too, and the
    saved views' version (`saved_views_version`, which the list's Views menu is kept under).
    """
    from .saved_views import VERSION_SQL as VIEWS_SQL  # these import this module
    from .saved_views import saved_views_version_remember
    from .tenants import VERSION_SQL, tenant_version_remember

    hotline = Hotline._meta.db_table
    with db_connection.cursor() as cursor:
        # The tenants' and the saved views' versions in the same round trip: within a request they
        # are remembered, so the Tenant column's cells, a tenant filter and the Views menu need no
        # query of their own to check theirs.
        cursor.execute(
            f"SELECT (SELECT MAX(id) FROM {hotline}), (SELECT MAX(last_changed_at) FROM {hotline}), "  # noqa: S608
            f"{VERSION_SQL[0]}, {VERSION_SQL[1]}, {ACTIVE_COUNT_SQL}, {', '.join(VIEWS_SQL)}"
        )
        top_id, changed, tenant_top_id, tenant_changed, active_connections, *views = cursor.fetchone()
    tenant_version_remember(tenant_top_id, tenant_changed)
    connection_count_remember(active_connections)
    saved_views_version_remember(*views)
    if not top_id:
        return "empty"
    return hashlib.sha256(f"{top_id}|{changed}|{CACHED_SHAPE}".encode()).hexdigest()[:20]


def hotline_groups(
    *,
    queryset: QuerySet[Hotline] | Callable[[], QuerySet[Hotline]],
    key: str,
    version: str,
    budget_ms: float | None = None,
) -> dict[tuple[str, str, int], int] | None:
    """How many rows hold each (network, status, connection_id) (one GROUP BY), once per data
    version and filter state: the list's count and its three facets at once. With `budget_ms`,
    None when not cached and not countable within it. `queryset` may be a function that builds
    it: then built only when counting (a cached figure costs no query building)."""

    def count() -> dict[tuple[str, str, int], int]:
        rows = queryset() if callable(queryset) else queryset
        rows = rows.order_by().values_list("network", "status", "connection_id").annotate(n=Count("pk"))
        return {(network, status, connection_id): n for network, status, connection_id, n in rows}

    return _cached(f"hotline-groups:{version}:{key}", count, budget_ms)


def _cached[T](key: str, compute, budget_ms: float | None) -> T | None:
    if budget_ms is None:
        return cached_once(key, compute)
    return cached_if_quick(key, compute, budget_ms=budget_ms)


def hotline_count_estimate(queryset: QuerySet[Hotline]) -> int | None:
    """The planner's guess of how many rows `queryset` holds (PostgreSQL: an EXPLAIN, no rows
    read, about a millisecond); None where there is no planner estimate to be had (SQLite)."""
    if db_connection.vendor != "postgresql":
        return None
    plan = json.loads(queryset.order_by().values("pk").explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


@dataclass(frozen=True, slots=True)
class HotlineTotals:
    """Hotlines per (removed, network, status, eTelecom account): the home page's figures (every
    account's hotlines), and the list's counts and facets whenever it is filtered by status,
    network, account and removal only (the usual case)."""

    by_group: dict[tuple[bool, str, str, int], int]  # (is_removed, network, status, connection_id) -> count
    # Every connection method in the data (removed hotlines' too), read in the same scan: the
    # method filter offers them. A scan of its own took 2.2 s at 10,000,000 hotlines.
    methods: frozenset[str] = frozenset()

    @property
    def by_pair(self) -> dict[tuple[str, str], int]:
        """Live hotlines per (network, status), every account's together."""
        out: dict[tuple[str, str], int] = {}
        for (removed, network, status, _connection), n in self.by_group.items():
            if not removed:
                out[(network, status)] = out.get((network, status), 0) + n
        return out

    @property
    def total(self) -> int:
        """Live hotlines, every account's."""
        return sum(n for (removed, *_rest), n in self.by_group.items() if not removed)

    @property
    def removed(self) -> int:
        """Removed hotlines, every account's."""
        return sum(n for (removed, *_rest), n in self.by_group.items() if removed)

    def by(self, position: int) -> dict[str, int]:
        """Live totals by network (position 0) or status (position 1)."""
        out: dict[str, int] = {}
        for pair, count in self.by_pair.items():
            out[pair[position]] = out.get(pair[position], 0) + count
        return out

    def groups(self, *, removed: set[bool]) -> dict[tuple[str, str, int], int]:
        """Counts per (network, status, connection_id) among the given removal states."""
        out: dict[tuple[str, str, int], int] = {}
        for (is_removed, network, status, connection_id), n in self.by_group.items():
            if is_removed in removed:
                key = (network, status, connection_id)
                out[key] = out.get(key, 0) + n
        return out


def hotline_totals(*, version: str, budget_ms: float | None = None) -> HotlineTotals | None:
    """Hotlines per (removed, network, status, account): one GROUP BY per data version. With
    `budget_ms`, None when not cached and not countable within it (1.5 s at 1,000,000 rows)."""

    def count() -> HotlineTotals:
        rows = (
            Hotline.objects.order_by()
            .values_list("is_removed", "network", "status", "connection_id", "connection_method")
            .annotate(n=Count("pk"))
            .values_list("is_removed", "network", "status", "connection_id", "connection_method", "n")
        )
        by_group: dict[tuple[bool, str, str, int], int] = {}
        methods = set()
        for removed, network, status, connection_id, method, n in rows:
            key = (bool(removed), network, status, connection_id)
            by_group[key] = by_group.get(key, 0) + n
            methods.add(method)
        return HotlineTotals(by_group=by_group, methods=frozenset(methods))

    return _cached(f"hotline-totals:{version}", count, budget_ms)


def hotline_values(field: str, *, version: str | None = None) -> list[str]:
    """Distinct values of an enum-like field in the data (to offer values eTelecom adds later).
    Statuses, networks and connection methods come from the cached totals (one scan for all)."""
    version = version or data_version()
    if field in TOTALS_FIELDS:
        position = TOTALS_FIELDS[field]
        return sorted({group[position] for group in hotline_totals(version=version).by_group if group[position]})
    if field == "connection_method":
        return sorted(method for method in hotline_totals(version=version).methods if method)
    return cached_once(
        f"hotline-values:{field}:{version}",
        lambda: sorted(v for v in Hotline.objects.order_by().values_list(field, flat=True).distinct() if v),
    )


def hotline_caches_warm() -> str:
    """Compute what every list and home page reads from the cache for the current data version
    (totals per removal, network and status; the connection methods offered as a filter), so that
    no person waits for it: at 1,000,000 rows that is 1.5 s on PostgreSQL. Called after a sync
    changed the data and when a web process starts. Returns the version."""
    version = data_version()
    hotline_totals(version=version)
    hotline_values("connection_method", version=version)
    return version
