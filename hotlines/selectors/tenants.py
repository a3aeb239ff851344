"""Tenants: the list's rows and counts, one tenant with its history and first hotlines, and
whether eTelecom makes tenants available at all (every figure cached per tenant data version)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection as db_connection
from django.db.models import Count, QuerySet

from ..choices import SyncStatus, TenantSyncState
from ..models import Connection, Hotline, SyncRun, Tenant, TenantChange
from ..tenant_fields import DEFAULT_COLUMNS, FIELDS
from .caching import cached_once
from .counts import CACHED_SHAPE
from .request_memo import request_recall, request_remember
from .tenancy import tenant_hotlines_q

# The two figures the tenant data version is made of, as scalar subqueries another query may read
# beside its rows (`data_version` reads them with the hotlines' own: one round trip less per list page).
VERSION_SQL = (
    f"(SELECT MAX(id) FROM {Tenant._meta.db_table})",  # noqa: S608
    f"(SELECT MAX(last_changed_at) FROM {Tenant._meta.db_table})",  # noqa: S608
)
# The default columns' fields, and whether a row is removed (the name's cell says so).
LIST_FIELDS = ("id", *(FIELDS[name].query_path for name in DEFAULT_COLUMNS), "is_removed")
VERSION_KEY = "tenant_data_version"  # under which a request keeps it (request_memo.py)
HOTLINES_INLINE = 20  # hotlines the detail page lists; the link to the hotline list shows them all
CHANGES_SHOWN = 200


def tenant_version_remember(top_id, changed) -> None:
    """Keep for the rest of the request the version of the highest tenant ID and latest change
    that a query read beside its own rows (`VERSION_SQL`), sparing `tenant_data_version` its own
    query. Outside a request, nothing."""
    request_remember(VERSION_KEY, _version_hash(top_id, changed))


def tenant_data_version() -> str:
    """Changes whenever the tenants change (as `data_version` for hotlines): a sync that adds,
    changes, removes or brings back a tenant moves the highest ID or the latest change. Two
    index-only lookups, once per request: within one, every reader keys its cache by the same
    version (what it reads after it is at least as new, so nothing older is ever kept under a
    newer version)."""
    remembered = request_recall(VERSION_KEY)
    if remembered is not None:
        return remembered
    with db_connection.cursor() as cursor:
        cursor.execute(f"SELECT {VERSION_SQL[0]}, {VERSION_SQL[1]}")
        top_id, changed = cursor.fetchone()
    tenant_version_remember(top_id, changed)
    return _version_hash(top_id, changed)


def _version_hash(top_id, changed) -> str:
    """`tenant_data_version` of the highest tenant ID and the latest change."""
    if not top_id:
        return "empty"
    return hashlib.sha256(f"tenants|{top_id}|{changed}|{CACHED_SHAPE}".encode()).hexdigest()[:20]


@dataclass(frozen=True, slots=True)
class TenantListVersions:
    """What the tenant list's cached parts are keyed by (`tenant_list_versions`)."""

    data: str  # `tenant_data_version`: the tenants themselves (counts by status, filter choices)
    rows: str  # everything a row shows: the tenants, their hotline figures and account names


def tenant_list_versions() -> TenantListVersions:
    """The tenant data version, and the version of everything the list's rows show, in one query
    (six index-only lookups). A row also shows its hotline figures, which a sync recounts when
    only hotlines changed (the tenants' own version does not move then: the hotlines' does), and
    its account's name (an edit moves the account's `updated_at`; a deletion, the count)."""
    hotline, account = Hotline._meta.db_table, Connection._meta.db_table
    with db_connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {VERSION_SQL[0]}, {VERSION_SQL[1]}, "  # noqa: S608
            f"(SELECT MAX(id) FROM {hotline}), (SELECT MAX(last_changed_at) FROM {hotline}), "
            f"(SELECT COUNT(*) FROM {account}), (SELECT MAX(updated_at) FROM {account})"
        )
        top_id, changed, *others = cursor.fetchone()
    tenant_version_remember(top_id, changed)
    data = _version_hash(top_id, changed)
    rows = hashlib.sha256("|".join(map(str, (data, *others))).encode()).hexdigest()[:20]
    return TenantListVersions(data=data, rows=rows)


def tenant_list(*, fields: Iterable[str] | None = None) -> QuerySet[Tenant]:
    """Tenants for the list (removed ones too: the filterset hides them unless asked), only the
    fields its columns read."""
    fields = tuple(fields or LIST_FIELDS)
    qs = Tenant.objects.only(*fields)
    if any("__" in field for field in fields):
        qs = qs.select_related("connection")
    return qs


def tenant_get(*, pk: int) -> Tenant:
    """One tenant with its connection, for the detail page."""
    return Tenant.objects.select_related("connection").get(pk=pk)


def tenant_values(field: str, *, version: str) -> list[str]:
    """Distinct values of an enum-like tenant field (statuses eTelecom may add later)."""
    return cached_once(
        f"tenant-values:{field}:{version}",
        lambda: sorted(v for v in Tenant.objects.order_by().values_list(field, flat=True).distinct() if v),
    )


def tenant_groups(*, queryset: QuerySet[Tenant], key: str, version: str) -> dict[tuple[str, int], int]:
    """How many rows hold each (status, connection_id): the list's count and both facets in one
    GROUP BY, once per data version and filter state."""

    def count() -> dict[tuple[str, int], int]:
        rows = queryset.order_by().values_list("status", "connection_id").annotate(n=Count("pk"))
        return {(status, connection_id): n for status, connection_id, n in rows}

    return cached_once(f"tenant-groups:{version}:{key}", count)


def tenant_changes(*, tenant: Tenant, limit: int = CHANGES_SHOWN) -> list[TenantChange]:
    """The tenant's recorded changes, newest first, with their sync run."""
    return list(tenant.changes.select_related("sync_run").order_by("-changed_at", "-id")[:limit])


def tenant_hotlines(*, tenant: Tenant, limit: int = HOTLINES_INLINE) -> list[Hotline]:
    """The tenant's first live hotlines by number (the mapping rule of `tenancy`)."""
    if tenant.is_removed:
        return []
    return list(
        Hotline.objects.filter(tenant_hotlines_q(tenant), is_removed=False)
        .only("hotline", "name", "status", "network", "is_removed")
        .order_by("hotline", "id")[:limit]
    )


def tenants_unavailable() -> bool:
    """Whether eTelecom refuses the tenant list to every active account: the latest successful
    sync of each says so (an account never synced says nothing yet)."""
    states = []
    for connection_id in Connection.objects.filter(is_active=True).values_list("pk", flat=True):
        latest = (
            SyncRun.objects.filter(connection_id=connection_id, status=SyncStatus.SUCCEEDED)
            .order_by("-finished_at", "-id")
            .values_list("tenants", flat=True)
            .first()
        )
        if latest is not None:
            states.append(latest)
    return bool(states) and all(state == TenantSyncState.UNAVAILABLE for state in states)
