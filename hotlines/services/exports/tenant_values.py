"""The hotlines' tenants in an export: looked up once per chunk of rows (`tenancy.tenants_by_owner`),
so the queries grow with the chunks, not the rows, and memory holds one chunk's tenants at a time.

CSV and Excel get the names and the domains, several tenants joined with "; "; JSON gets the
`tenants` array of `{"id", "name", "domain"}` (eTelecom's tenant IDs, as strings)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import batched
from operator import itemgetter
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
    for batch in batched(rows, chunk):
        tenants = tenants_by_owner((_Owner(*row[-2:]) for row in batch), fields=TENANT_FIELDS_READ)
        values = {key: tuple(make(found) for make in makers) for key, found in tenants.items()}
        for row in batch:
            yield pick(row[:-2] + values.get(row[-2:], nobody))
