"""The hotlines' tenants in an export: looked up once per chunk of rows (`tenancy.tenants_by_owner`),
so the queries grow with the chunks, not the rows, and memory holds one chunk's tenants at a time.

CSV and Excel get the names and the domains, several tenants joined with "; "; JSON gets the
`tenants` array of `{"id", "name", "domain"}` (eTelecom's tenant IDs, as strings)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import batched
from typing import Any, NamedTuple

from ...models import Tenant
from ...selectors.tenancy import tenants_by_owner
from .columns import TENANT_VALUES, ExportColumn

SEPARATOR = "; "
# The hotline fields the lookup needs, read after the export's own columns.
OWNER_FIELDS = ("connection_id", "owner_id")
TENANT_FIELDS_READ = ("name", "domain", "etelecom_id")


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
    values in order, then the hotline's connection ID and owner ID."""
    makers = [_VALUES.get(column.key) if column.derived else None for column in columns]
    for batch in batched(rows, chunk):
        tenants = tenants_by_owner((_Owner(*row[-2:]) for row in batch), fields=TENANT_FIELDS_READ)
        for row in batch:
            found = tenants.get((row[-2], row[-1]), [])
            stored = iter(row[:-2])
            yield tuple(next(stored) if make is None else make(found) for make in makers)
