"""The hotlines' tenants in an export. An account's tenants are read whole, once, when the
export meets its first hotline (`tenancy.tenants_of_connections`): an export of a whole account
meets nearly every owner, and looking them up per chunk of rows read each tenant again in every
chunk (over half of an Excel export's time at 200,000 rows on PostgreSQL, in `owner_id IN (…)`
lists of thousands). An account with more than PRELOAD_MAX_TENANTS tenants is looked up per chunk
instead (`tenancy.tenants_by_owner`), so memory stays bounded by that many tenants' values.

CSV and Excel get the names and the domains, several tenants joined with "; "; JSON gets the
`tenants` array of `{"id", "name", "domain"}` (eTelecom's tenant IDs, as strings)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import batched
from operator import itemgetter
from typing import Any, NamedTuple

from ...models import Tenant
from ...selectors.tenancy import OwnerKey, live_tenants, tenants_by_owner, tenants_of_connections
from .columns import TENANT_VALUES, ExportColumn

SEPARATOR = "; "
# The hotline fields the lookup needs, read after the export's own columns.
OWNER_FIELDS = ("connection_id", "owner_id")
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


def with_tenants(rows: Iterable[tuple], columns: list[ExportColumn], *, chunk: int) -> Iterator[tuple]:
    """The export's rows with their tenant columns filled in: `rows` hold the stored columns'
    values in order, then the hotline's connection ID and owner ID.

    Many hotlines share an owner: the tenant values are made once per owner and chunk, and each
    row is put together by one C-level `itemgetter` over its stored values and its owner's
    (a Python step per cell cost over half of an export's time at 100,000 rows)."""
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
    nobody = tuple(make([]) for make in makers)
    known = _AccountValues(makers)
    for batch in batched(rows, chunk):
        values = known.for_rows(batch)
        for row in batch:
            yield pick(row[:-2] + values.get(row[-2:], nobody))


class _AccountValues:
    """Each owner's tenant values, by (connection, owner): whole accounts read once, those over
    PRELOAD_MAX_TENANTS looked up per chunk."""

    def __init__(self, makers: list[Callable[[list[Tenant]], Any]]) -> None:
        self.makers = makers
        self.values: dict[OwnerKey, tuple] = {}
        self.read: set[int] = set()  # accounts whose tenants are all in `values`
        self.large: set[int] = set()  # accounts looked up per chunk

    def _made(self, tenants: dict[OwnerKey, list]) -> dict[OwnerKey, tuple]:
        return {key: tuple(make(found) for make in self.makers) for key, found in tenants.items()}

    def for_rows(self, batch: tuple[tuple, ...]) -> dict[OwnerKey, tuple]:
        """The values of the owners of `batch` (rows ending with connection ID and owner ID)."""
        accounts = {row[-2] for row in batch} - self.read - self.large
        for account in accounts:
            if live_tenants().filter(connection_id=account).count() > PRELOAD_MAX_TENANTS:
                self.large.add(account)
        whole = accounts - self.large
        if whole:
            self.values.update(self._made(tenants_of_connections(whole, fields=TENANT_FIELDS_READ)))
            self.read |= whole
        if not self.large:
            return self.values
        owners = (_Owner(*row[-2:]) for row in batch if row[-2] in self.large)
        return {**self.values, **self._made(tenants_by_owner(owners, fields=TENANT_FIELDS_READ))}
