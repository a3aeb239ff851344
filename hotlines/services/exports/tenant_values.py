"""The hotlines' tenants in an export. An account's tenants are read whole, once, when the
export meets its first hotline (`tenancy.tenants_of_connections`): an export of a whole account
meets nearly every owner, and looking them up per chunk of rows read each tenant again in every
chunk (over half of an Excel export's time at 200,000 rows on PostgreSQL, in `owner_id IN (…)`
lists of thousands). An account with more than PRELOAD_MAX_TENANTS tenants is not read whole, so
memory stays bounded by that many tenants' values: on PostgreSQL each row brings its owner's
tenants with it, from a subquery of the export's own query (`tenants_beside_rows`), and the
database looks them up while Python writes the rows before; on SQLite they are looked up per
chunk of rows (`tenancy.tenants_by_owner`). Per chunk was the first thing to break at ten million
hotlines and 500,000 tenants: 38,000 CSV rows/s, against 115,000 at a million rows.

CSV and Excel get the names and the domains, several tenants joined with "; "; JSON gets the
`tenants` array of `{"id", "name", "domain"}` (eTelecom's tenant IDs, as strings)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import batched
from operator import itemgetter
from typing import Any, NamedTuple

from django.db import connection as db_connection
from django.db.models import Field, QuerySet
from django.db.models.expressions import RawSQL

from ...models import Connection, Hotline, Tenant
from ...selectors.tenancy import (
    OwnerKey,
    live_tenants,
    owner_tenants_sort,
    tenants_by_owner,
    tenants_of_connections,
)
from .columns import TENANT_VALUES, ExportColumn

SEPARATOR = "; "
# The hotline fields the lookup needs, read after the export's own columns.
TENANT_FIELDS_READ = ("name", "domain", "etelecom_id")
# An account with up to this many tenants is read whole (some 20 MB of names and domains at
# 50,000); a larger one per chunk of rows.
PRELOAD_MAX_TENANTS = 100_000


class _Owner(NamedTuple):
    connection_id: int
    owner_id: str


_VALUES: dict[str, Callable[[list[Tenant]], Any]] = {
    "tenant_name": lambda tenants: SEPARATOR.join(tenant.name for tenant in tenants),
    "tenant_domain": lambda tenants: SEPARATOR.join(tenant.domain for tenant in tenants),
    "tenants": lambda tenants: [
        {"id": tenant.etelecom_id, "name": tenant.name, "domain": tenant.domain} for tenant in tenants
    ],
}
assert set(_VALUES) == TENANT_VALUES  # every derived export column has its value


def _assembly(columns: list[ExportColumn]) -> tuple[list[Callable[[list], Any]], Callable[[tuple], tuple], tuple]:
    """The derived columns' value makers; how a row is put together from its stored values
    followed by its derived ones (one C-level `itemgetter`: a Python step per cell cost over half
    of an export's time at 100,000 rows); and the derived values of a hotline without tenants."""
    makers = [_VALUES[column.key] for column in columns if column.derived]
    stored_count = len(columns) - len(makers)
    order, stored_at, derived_at = [], 0, stored_count
    for column in columns:
        if column.derived:
            order.append(derived_at)
            derived_at += 1
        else:
            order.append(stored_at)
            stored_at += 1
    pick = itemgetter(*order) if len(order) > 1 else (lambda values: (values[order[0]],))
    return makers, pick, tuple(make([]) for make in makers)


def accounts_with_very_many_tenants() -> set[int]:
    """The eTelecom accounts with more than PRELOAD_MAX_TENANTS live tenants (an index scan that
    stops there, per account)."""
    return {
        account
        for account in Connection.objects.values_list("pk", flat=True)
        if live_tenants().filter(connection_id=account)[PRELOAD_MAX_TENANTS : PRELOAD_MAX_TENANTS + 1].exists()
    }


def with_tenants(rows: Iterable[tuple], columns: list[ExportColumn], *, chunk: int, large: set[int]) -> Iterator[tuple]:
    """The export's rows with their tenant columns filled in: `rows` hold the stored columns'
    values in order, then the hotline's connection ID and owner ID. Many hotlines share an owner:
    the tenant values are made once per owner and chunk. The accounts in `large` (those with
    very many tenants) are looked up per chunk, the others read whole."""
    makers, pick, nobody = _assembly(columns)
    known = _AccountValues(makers, large)
    for batch in batched(rows, chunk):
        values = known.for_rows(batch)
        for row in batch:
            yield pick(row[:-2] + values.get(row[-2:], nobody))


class _AccountValues:
    """Each owner's tenant values, by (connection, owner): whole accounts read once, those over
    PRELOAD_MAX_TENANTS looked up per chunk."""

    def __init__(self, makers: list[Callable[[list[Tenant]], Any]], large: set[int]) -> None:
        self.makers = makers
        self.values: dict[OwnerKey, tuple] = {}
        self.read: set[int] = set()  # accounts whose tenants are all in `values`
        self.large = large  # accounts looked up per chunk

    def _made(self, tenants: dict[OwnerKey, list]) -> dict[OwnerKey, tuple]:
        return {key: tuple(make(found) for make in self.makers) for key, found in tenants.items()}

    def for_rows(self, batch: tuple[tuple, ...]) -> dict[OwnerKey, tuple]:
        """The values of the owners of `batch` (rows ending with connection ID and owner ID)."""
        whole = {row[-2] for row in batch} - self.read - self.large
        if whole:
            self.values.update(self._made(tenants_of_connections(whole, fields=TENANT_FIELDS_READ)))
            self.read |= whole
        if not self.large:
            return self.values
        owners = (_Owner(*row[-2:]) for row in batch if row[-2] in self.large)
        return {**self.values, **self._made(tenants_by_owner(owners, fields=TENANT_FIELDS_READ))}


# Each row's owner's live tenants, as PostgreSQL gives them beside the row: a two-dimensional
# text array of [ID, name, domain, eTelecom ID], one per tenant (an empty array for none), found
# through the tenants' (connection, owner) index. The outer table is the export query's own.
_TENANTS_OF_ROW = (
    f"ARRAY(SELECT ARRAY[t.id::text, t.name, t.domain, t.etelecom_id] FROM {Tenant._meta.db_table} t "  # noqa: S608
    f"WHERE t.connection_id = {Hotline._meta.db_table}.connection_id "
    f"AND t.owner_id = {Hotline._meta.db_table}.owner_id AND t.owner_id <> '' AND NOT t.is_removed)"
)
TENANTS_BESIDE = "export_owner_tenants"


class _RowTenant(NamedTuple):
    pk: int
    name: str
    domain: str
    etelecom_id: str


def tenants_beside_rows(large: set[int]) -> bool:
    """Whether the export's rows should bring their tenants with them (`with_tenants_beside`)
    rather than be matched with tenants read apart: on PostgreSQL, when an account has very many
    (`large`, from `accounts_with_very_many_tenants`)."""
    return bool(large) and db_connection.vendor == "postgresql"


def with_tenants_beside(queryset: QuerySet[Hotline], fields: list[str]) -> QuerySet:
    """`values_list(*fields)` of the rows, each followed by its owner's tenants (see above)."""
    beside = RawSQL(_TENANTS_OF_ROW, [], output_field=Field())  # noqa: S611 - constant SQL, no value in it
    queryset = queryset.annotate(**{TENANTS_BESIDE: beside})
    return queryset.values_list(*fields, TENANTS_BESIDE)


def with_tenants_from_rows(rows: Iterable[tuple], columns: list[ExportColumn]) -> Iterator[tuple]:
    """The export's rows with their tenant columns filled in, from the tenants each row brought
    (`with_tenants_beside`): the same values as `with_tenants`, several tenants named in order
    (then by ID), as `tenancy` names them."""
    makers, pick, nobody = _assembly(columns)
    for row in rows:
        found = row[-1]
        if not found:
            yield pick(row[:-1] + nobody)
            continue
        tenants = [_RowTenant(int(pk), name, domain, etelecom_id) for pk, name, domain, etelecom_id in found]
        owner_tenants_sort(tenants)
        yield pick(row[:-1] + tuple(make(tenants) for make in makers))
