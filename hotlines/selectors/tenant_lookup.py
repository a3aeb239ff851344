"""Tenants looked up for the hotline list: by ID for its `tenant` filter, by name for its tenant
picker and its quick search. Which hotlines a tenant has is `tenancy`'s business, not this one's."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from ..ids import id_parse
from ..models import Tenant
from ..normalize import fold
from ..process_memo import ProcessMemo
from .tenancy import live_tenants
from .tenants import tenant_data_version

# What the picker and the chips show of a tenant, and what the mapping needs (tenancy.py).
TENANT_PICK_FIELDS = ("pk", "name", "domain", "etelecom_id", "connection_id", "owner_id", "is_removed")
OPTIONS_LIMIT = 20  # matching tenants the picker offers at once (a partner may have thousands)
# Tenants whose name matches a quick search that are looked up for their hotlines: beyond that,
# the words are too vague to name a customer, and the hotlines' own text still matches.
SEARCH_TENANTS_LIMIT = 50
MAX_WORDS = 8
# Sets of tenant IDs looked up (tenants_by_ids), with the tenant data version they were read under.
KEPT_MAX = 256
_kept: ProcessMemo[frozenset[int], tuple[str, list[Tenant]]] = ProcessMemo(KEPT_MAX)
# The tenants a quick search's words name (tenants_named), with the version they were read under.
_named: ProcessMemo[tuple[tuple[str, ...], int], tuple[str, list[Tenant]]] = ProcessMemo(KEPT_MAX)


@dataclass(frozen=True, slots=True)
class TenantIds:
    """A `tenant` filter's values read: the live tenants found, and what was dropped (as typed)."""

    found: list[Tenant]
    dropped: list[str]


def tenants_by_ids(values: Iterable[str], *, remember: bool = True) -> TenantIds:
    """The live tenants these IDs (as typed in a query) name, in one query; malformed, unknown and
    removed ones are dropped, each once. Kept in this process per set of IDs and tenant data
    version: a list filtered by tenants reads only the version (which its Tenant column needs
    anyway) once the same tenants were read under it; the lookup's ORM query, compiled anew each
    time, was most of what such a page cost beyond the list without the filter. Without `remember`
    (outside a request: the watch engine), one query and nothing kept."""
    values = list(dict.fromkeys(str(value) for value in values))
    parsed = {value: id_parse(value) for value in values}
    ids = frozenset(pk for pk in parsed.values() if pk is not None)
    live: list[Tenant] = []
    if ids:

        def read() -> list[Tenant]:
            # Unordered: the found tenants are put in order below (no collated sort in the database).
            return list(_picked(Tenant.objects.filter(pk__in=ids, is_removed=False)).order_by())

        live = _per_version(_kept, ids, read) if remember else read()
    found = {tenant.pk: tenant for tenant in live}
    kept, dropped, seen = [], [], set()
    for value, pk in parsed.items():
        if pk in found:
            if pk not in seen:
                kept.append(found[pk])
                seen.add(pk)
        else:
            dropped.append(value)
    kept.sort(key=lambda tenant: (tenant.name, tenant.pk))
    return TenantIds(found=kept, dropped=dropped)


def tenant_lookups_clear() -> None:
    """Forget the tenants kept per set of IDs and per search (tests: each starts as a new process would)."""
    _kept.clear()
    _named.clear()


def _words(text: str) -> list[str]:
    return list(dict.fromkeys(word for word in fold(text or "").split(" ") if word))[:MAX_WORDS]


def _matching(words: list[str]) -> QuerySet[Tenant]:
    """Live tenants whose folded name and domain hold every word (accents and case ignored)."""
    condition = Q()
    for word in words:
        condition &= Q(search_text__contains=word)
    return _picked(live_tenants().filter(condition))


def _picked(tenants: QuerySet[Tenant]) -> QuerySet[Tenant]:
    return tenants.only(*TENANT_PICK_FIELDS).order_by("name", "id")


def tenant_options(*, text: str, exclude: Iterable[int] = (), limit: int = OPTIONS_LIMIT) -> list[Tenant]:
    """The picker's matches for what was typed (none for an empty search), the chosen ones left out."""
    words = _words(text)
    if not words:
        return []
    return list(_matching(words).exclude(pk__in=list(exclude))[:limit])


def tenants_named(*, words: tuple[str, ...], limit: int = SEARCH_TENANTS_LIMIT, remember: bool = True) -> list[Tenant]:
    """Tenants whose name or domain holds every one of the quick search's (folded) words. Kept
    in this process per words and tenant data version, as `tenants_by_ids` keeps its own: on
    SQLite the lookup scans every tenant and sorts the matches by name in the Vietnamese
    collation, a Python function (5.8 ms of a search page's 17 at 5,000 tenants), and a search
    is asked for again page after page, and by its counts' own request. Without `remember`
    (outside a request: the watch engine), one query and nothing kept."""
    if not words:
        return []

    def read() -> list[Tenant]:
        return list(_matching(list(words))[:limit])

    return _per_version(_named, (tuple(words), limit), read) if remember else read()


def _per_version[K: Hashable](memo: ProcessMemo[K, tuple[str, list[Tenant]]], key: K, read) -> list[Tenant]:
    """What `read()` gives, kept in `memo` under `key` beside the tenant data version it was read
    under, and read again once that version moved."""
    version = tenant_data_version()  # once per request (selectors/tenants.py)
    known = memo.get(key)
    if known is not None and known[0] == version:
        return known[1]
    # Read after the version: never older than it (a sync in between only makes it newer).
    return memo.put(key, (version, read()))[1]
