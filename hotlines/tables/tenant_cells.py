"""The hotline table's tenant cells (Tenant name, Tenant domain): rendered once per owner and kept
in this process for the tenant data version, so a warm list page reads no tenant row.

A page's rows share few owners, and the same owners come back page after page; reading their
tenants (one query) and rendering their links was most of what the Tenant column cost the list
(issue 16: within 10% of the list without it). The cells are keyed by what they depend on: the
tenant data version (`selectors.tenant_data_version`, which any sync that adds, changes, removes
or brings back a tenant moves), the URL prefix, the language, the column and the (connection,
owner) pair the mapping rule (`selectors.tenancy`) looks tenants up by. Nothing else enters a
cell: no user's rights (every person who may browse hotlines sees every tenant's name) and no
hotline field. When the version moves, the whole store is dropped; it never holds more than
`MAX_CELLS` cells (a partner with 50,000 tenants and two languages fits), beyond which it starts
again empty rather than grow.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from django.urls import get_script_prefix
from django.utils.translation import get_language

from ..selectors.tenancy import OwnerKey, owner_key, tenants_by_owner
from ..selectors.tenants import tenant_data_version

MAX_CELLS = 200_000  # two tenant columns, two languages, 50,000 owners: about 60 MB at the worst

# Render a column's cell from an owner's tenants (read-only rows of `pk` and `fields`).
CellRender = Callable[[list[Any]], str]


class _Owner(NamedTuple):
    connection_id: int
    owner_id: str


class _Store:
    """The cells of one tenant data version (replaced whole when the version moves)."""

    def __init__(self, version: str) -> None:
        self.version = version
        self.cells: dict[tuple[str, str, str, OwnerKey], str] = {}


_store = _Store("")
_lock = threading.Lock()


def tenant_cells_clear() -> None:
    """Forget every cell (tests start as a new server would)."""
    global _store
    with _lock:
        _store = _Store("")


def tenant_cells(
    hotlines: Iterable[Any], *, renders: dict[str, CellRender], fields: tuple[str, ...]
) -> dict[str, dict[OwnerKey, str]]:
    """Each column's cell HTML for each (connection, owner) among `hotlines`: from this process's
    store when rendered before for the same tenant data, else read (one query for every missing
    owner of the page, whatever their number) and rendered by `renders[column]`."""
    global _store
    version = tenant_data_version()
    store = _store
    if store.version != version:
        with _lock:
            if _store.version != version:
                _store = _Store(version)
            store = _store
    context = (get_script_prefix(), get_language() or "")
    keys = {owner_key(hotline) for hotline in hotlines}
    cells = store.cells
    found: dict[str, dict[OwnerKey, str]] = {column: {} for column in renders}
    missing: set[OwnerKey] = set()
    for column, by_owner in found.items():
        for key in keys:
            html = cells.get((*context, column, key))
            if html is None:
                missing.add(key)
            else:
                by_owner[key] = html
    if not missing:
        return found
    tenants = tenants_by_owner([_Owner(*key) for key in missing], fields=fields)
    if len(cells) + len(missing) * len(renders) > MAX_CELLS:
        cells.clear()
    for column, render in renders.items():
        by_owner = found[column]
        for key in missing:
            html = by_owner[key] = render(tenants.get(key, []))
            cells[(*context, column, key)] = html
    return found
