"""Which tenants a hotline belongs to: the mapping rule, in one place.

A hotline belongs to the tenants of its own eTelecom account (connection) whose `owner_id`
equals the hotline's `owner_id`. Usually one; several when an owner has several PBXs; none when
no tenant has its owner (the dashboard says "No tenant"), or when its owner is blank. eTelecom
does not document the link: it is inferred from the field names and `PartnerActivateTenant`'s
body (see partner-api.md), so everything that maps, in Python or in SQL, reads it from here.
Removed tenants own nothing.
"""

from __future__ import annotations

from collections import defaultdict, namedtuple
from collections.abc import Iterable
from functools import cache
from typing import Protocol

from django.db.models import Q, QuerySet

from ..collation import sort_key
from ..models import Tenant

# The (hotline column, tenant column) pairs that must be equal, and the tenant's own condition.
# The sync's SQL (tenant hotline counts) joins on these same pairs.
JOIN_COLUMNS: tuple[tuple[str, str], ...] = (("connection_id", "connection_id"), ("owner_id", "owner_id"))


def match_sql(*, hotline: str, tenant: str) -> str:
    """The rule as an SQL condition between two aliases: `hotline` (rows with the hotline's
    JOIN_COLUMNS) and `tenant`. A blank owner owns nothing; removed tenants own nothing."""
    pairs = [f"{hotline}.{left} = {tenant}.{right}" for left, right in JOIN_COLUMNS]
    return " AND ".join([*pairs, f"{tenant}.owner_id <> ''", f"NOT {tenant}.is_removed"])


class _Owned(Protocol):
    connection_id: int
    owner_id: str


OwnerKey = tuple[int, str]


# What `owner_key` reads of a hotline (its tenants are looked up by them).
OWNER_FIELDS = ("connection_id", "owner_id")


def owner_key(hotline: _Owned) -> OwnerKey:
    """What a hotline's tenants are looked up by."""
    return hotline.connection_id, hotline.owner_id


def live_tenants() -> QuerySet[Tenant]:
    """Tenants that own hotlines: those not removed upstream."""
    return Tenant.objects.filter(is_removed=False)


def tenants_by_owner(hotlines: Iterable[_Owned], *, fields: tuple[str, ...] = ()) -> dict[OwnerKey, list[Tenant]]:
    """The tenants of each (connection, owner) among `hotlines`, in one query whatever their
    number, named in order (then by ID); an owner without tenants is absent from the result.
    With `fields`, each tenant is a read-only row of `pk`, `name` and those fields (with the
    mapping's own), not a model instance."""
    keys = {owner_key(hotline) for hotline in hotlines if hotline.owner_id}
    if not keys:
        return {}
    by_connection: dict[int, set[str]] = defaultdict(set)
    for connection_id, owner in keys:
        by_connection[connection_id].add(owner)
    condition = Q()
    for connection_id, owners in by_connection.items():
        condition |= Q(connection_id=connection_id, owner_id__in=sorted(owners))
    # Removed tenants are left out here, not in SQL: on the condition alone the (connection,
    # owner) index is the only one that fits (with `is_removed` too, SQLite without statistics
    # walked a whole index of live tenants: 4 ms a page at 5,000 tenants instead of 0.3).
    return _grouped(Tenant.objects.filter(condition), fields)


def tenants_of_connections(connection_ids: Iterable[int], *, fields: tuple[str, ...] = ()) -> dict[OwnerKey, list]:
    """Every live tenant of these eTelecom accounts, grouped and ordered per (connection, owner)
    as `tenants_by_owner` gives them: for a reader that will meet most owners (an export of a
    whole account reads each tenant once this way, instead of once per chunk of rows)."""
    return _grouped(live_tenants().filter(connection_id__in=list(connection_ids)).exclude(owner_id=""), fields)


def _grouped(tenants: QuerySet[Tenant], fields: tuple[str, ...]) -> dict[OwnerKey, list]:
    """`tenants` grouped by (connection, owner): removed ones left out, several named in order."""
    if fields:
        # Plain rows with just these fields (and `pk`): a list page reads fifty to two hundred
        # rows' tenants, and a model instance each cost a third of the Tenant column's time.
        row = _tenant_row_type(tuple(dict.fromkeys(("name", *fields))))
        tenants = (
            row._make(values) for values in tenants.values_list(*_ROW_LEADING, *row._fields[len(_ROW_LEADING) :])
        )
    found: dict[OwnerKey, list[Tenant]] = defaultdict(list)
    for tenant in tenants:
        if not tenant.is_removed:
            found[(tenant.connection_id, tenant.owner_id)].append(tenant)
    for owned in found.values():
        owner_tenants_sort(owned)
    return dict(found)


def owner_tenants_sort(tenants: list) -> None:
    """One owner's tenants (anything with `name` and `pk`) in place, named in Vietnamese order,
    then by ID: sorted here, per owner (one or two tenants), rather than by the database's
    collation over all of them (on SQLite a Python call per comparison)."""
    if len(tenants) > 1:
        tenants.sort(key=lambda tenant: (sort_key(tenant.name), tenant.pk))


_ROW_LEADING = ("pk", "connection_id", "owner_id", "is_removed")


@cache
def _tenant_row_type(fields: tuple[str, ...]) -> type:
    """A read-only tenant row with `pk`, what the mapping reads, and `fields`."""
    extra = tuple(field for field in fields if field not in _ROW_LEADING)
    return namedtuple("TenantRow", (*_ROW_LEADING, *extra))


def hotlines_of_tenants_q(tenants: Iterable[Tenant]) -> Q:
    """The condition on `Hotline` that selects these tenants' hotlines (none when no tenant, or
    only removed or owner-less ones, is given)."""
    by_connection: dict[int, set[str]] = defaultdict(set)
    for tenant in tenants:
        if tenant.owner_id and not tenant.is_removed:
            by_connection[tenant.connection_id].add(tenant.owner_id)
    if not by_connection:
        return Q(pk__in=[])
    condition = Q()
    for connection_id, owners in by_connection.items():
        condition |= Q(connection_id=connection_id, owner_id__in=sorted(owners))
    return condition


def tenant_hotlines_q(tenant: Tenant) -> Q:
    """The condition on `Hotline` that selects one tenant's hotlines."""
    return hotlines_of_tenants_q([tenant])
