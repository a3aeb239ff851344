"""A sync's tenant part: read every tenant page before the hotlines, stage it, and publish it in
the transaction that publishes the hotlines.

Tenants come first: the list is small (about one tenant for twenty hotlines), and a key refused
it is known before the long part starts. Each page is validated by the client, deduplicated (the
first tenant seen with an ID wins; later copies are not staged and not counted anywhere but in
`tenants_fetched`), fingerprinted and compared with the snapshot; a tenant identical to it is
staged by ID only, as hotlines are. Both databases stage tenants in `StagedTenant` and commit
page by page (no transaction is open yet); `tenants_publish` applies them inside the hotlines'
publishing transaction (`staging.snapshot_apply`, `direct.sync_direct`), then recounts each
tenant's hotlines, so readers see the old tenants and hotlines or the new ones, never a mix.

If eTelecom refuses this key the tenant list (`NotAvailable`), whatever was staged is dropped,
the tenants stay as they were and the hotlines sync all the same. The SQL is in `sql_tenants.py`.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from django.conf import settings

from ...choices import ChangeKind
from ...etelecom import types
from ...etelecom.exceptions import NotAvailable
from ...iterators import read_ahead
from ...models import StagedState, SyncRun
from ...tenant_fields import CONTENT_FIELDS, DATETIME
from . import sql, sql_tenants
from .compare import Progress, canonical, content_hash, search_text
from .interrupt import sync_check_stop
from .steps import step

logger = logging.getLogger(__name__)

TenantPages = Iterator[types.TenantPage]  # what the client's iter_tenant_pages returns
Heartbeat = Callable[[SyncRun], None]


class TenantSource(Protocol):
    """What the sync needs of the client for tenants (`EtelecomClient`, or a test's stand-in)."""

    def iter_tenant_pages(
        self, *, limit: int | None = None, max_pages: int = 100_000, read_ahead: bool = False
    ) -> TenantPages: ...


@dataclass
class TenantCounts:
    """What reading the tenant list found, and (once published) how many tenants were removed."""

    available: bool = True  # False: eTelecom refused this key the tenant list
    same: int = 0
    new: int = 0
    changed: int = 0
    reappeared: int = 0
    duplicates: int = 0  # IDs already seen earlier in the run (first seen wins)
    removed: int = 0
    initial_import: bool = False  # the connection had no tenant at all: no "appeared" history

    @property
    def any_change(self) -> bool:
        """True if publishing changes a tenant (so their hotline figures may move)."""
        return bool(self.new or self.changed or self.reappeared or self.removed)


@dataclass
class _Prepared:
    """A page deduplicated and fingerprinted in the read-ahead thread: {id: (tenant, payload, fingerprint)}."""

    fetched: int
    duplicates: int
    items: dict[str, tuple[types.Tenant, dict[str, Any], str]] = field(default_factory=dict)


def tenants_fetch(
    *,
    run: SyncRun,
    client: TenantSource,
    heartbeat: Heartbeat,
    heartbeat_due: Callable[[], bool],
    progress: Progress | None,
) -> TenantCounts:
    """Read, compare and stage every tenant page of the run's connection; returns what was found
    (`available` False, nothing staged, if eTelecom refuses this key the list). Other eTelecom
    errors propagate: they fail the run as a hotline page's would."""
    counts = TenantCounts(initial_import=sql_tenants.is_initial_import(connection_id=run.connection_id))
    pages = client.iter_tenant_pages(
        limit=run.connection.page_size, max_pages=settings.ETELECOM_MAX_PAGES, read_ahead=True
    )

    def waiting() -> None:
        sync_check_stop(run=run)
        if heartbeat_due():
            heartbeat(run)

    comparer = _Comparer(run, counts)
    try:
        prepared = read_ahead(_prepared(pages), name="sync-tenants", on_wait=waiting)
        with sql.relaxed_durability(), closing(prepared):
            for page in prepared:
                sync_check_stop(run=run)
                comparer.compare(page)
                run.tenant_pages += 1
                run.tenants_fetched += page.fetched
                if heartbeat_due():
                    heartbeat(run)
                if progress:
                    progress(run)
    except NotAvailable as exc:
        logger.warning("sync %s: eTelecom refused this key the tenant list; syncing hotlines only: %s", run.pk, exc)
        sql_tenants.unstage(run_id=run.pk)  # pages read before a refusal mid-list
        return TenantCounts(available=False)
    return counts


def _prepared(pages: TenantPages) -> Iterator[_Prepared]:
    # Run by the read-ahead thread alone, which closes the pages with it.
    with closing(pages):
        for page in pages:
            items: dict[str, tuple[types.Tenant, dict[str, Any], str]] = {}
            for item in page.tenants:
                if item.id not in items:
                    raw, raw_json = canonical(item.raw)
                    items[item.id] = (item, raw, content_hash(raw_json))
            yield _Prepared(fetched=len(page.tenants), duplicates=len(page.tenants) - len(items), items=items)


class _Comparer:
    """Compares each tenant page with the snapshot and stages it: three statements a page at most."""

    def __init__(self, run: SyncRun, counts: TenantCounts) -> None:
        self.run_id, self.connection_id, self.counts = run.pk, run.connection_id, counts
        self.datetime = sql.datetime_formatter()

    def compare(self, page: _Prepared) -> None:
        counts = self.counts
        counts.duplicates += page.duplicates
        if not page.items:
            return
        current = {} if counts.initial_import else sql_tenants.current_hashes(
            connection_id=self.connection_id, ids=list(page.items)
        )  # fmt: skip
        same: list[str] = []
        rows: list[dict[str, Any]] = []
        for etelecom_id, (item, raw, digest) in page.items.items():
            known = current.get(etelecom_id)
            if known is None:
                state = StagedState.NEW
            elif known[1]:
                state = StagedState.REAPPEARED
            elif known[0] == digest:
                same.append(etelecom_id)
                continue
            else:
                state = StagedState.CHANGED
            rows.append(self._row(item, state=state, raw=raw, digest=digest))
        kept_same = sql_tenants.stage_ids(run_id=self.run_id, ids=same) if same else 0
        kept = Counter(sql_tenants.stage_rows(run_id=self.run_id, rows=rows)) if rows else Counter()
        counts.same += kept_same
        counts.new += kept[StagedState.NEW]
        counts.changed += kept[StagedState.CHANGED]
        counts.reappeared += kept[StagedState.REAPPEARED]
        counts.duplicates += (len(same) - kept_same) + (len(rows) - kept.total())

    def _row(self, item: types.Tenant, *, state: int, raw: dict[str, Any], digest: str) -> dict[str, Any]:
        row: dict[str, Any] = {
            name: self.datetime(getattr(item, api)) if kind == DATETIME else getattr(item, api)
            for name, api, kind in _COLUMNS
        }
        row.update(
            etelecom_id=item.id,
            state=int(state),
            raw=raw,
            content_hash=digest,
            search_text=search_text(item.name, item.domain),
        )
        return row


# (Tenant column, payload attribute, kind) of each upstream value a staged tenant carries.
_COLUMNS = [(f.name, f.api_name, f.kind) for f in CONTENT_FIELDS]


def tenants_publish(*, run: SyncRun, counts: TenantCounts, hotlines_changed: bool, now: datetime) -> None:
    """Apply the run's staged tenants, with each tenant's hotline counts (inside the hotlines'
    publishing transaction, after them). Refused tenants stay as they were; their figures are
    recounted all the same when the hotlines changed. Nothing changed: nothing to do.

    One GROUP BY over the hotlines at most: every tenant recounted when the hotlines changed,
    else only the upserted ones, as they are written (a first import's tenants are all upserted,
    so they never need a second write); removed tenants drop to zero as they are marked.
    """
    run_id, connection_id = run.pk, run.connection_id
    recount = hotlines_changed and not (counts.available and counts.initial_import)
    if counts.available:
        if counts.changed or counts.reappeared:
            states = (StagedState.CHANGED, StagedState.REAPPEARED)
            sql_tenants.record_field_changes(run_id=run_id, connection_id=connection_id, states=states, now=now)
        if counts.reappeared:
            sql_tenants.record_kind(
                run_id=run_id, connection_id=connection_id, state=StagedState.REAPPEARED,
                kind=ChangeKind.REAPPEARED, now=now,
            )  # fmt: skip
        if sql_tenants.live_count(connection_id=connection_id) != counts.same + counts.changed:
            counts.removed = sql_tenants.mark_removed(
                run_id=run_id, connection_id=connection_id, kind=ChangeKind.REMOVED, now=now
            )
        if counts.new or counts.changed or counts.reappeared:
            with_counts = "" if recount else "all" if counts.initial_import else "staged"
            sql_tenants.upsert(run_id=run_id, connection_id=connection_id, now=now, counts=with_counts)
        if counts.new and not counts.initial_import:
            sql_tenants.record_kind(
                run_id=run_id, connection_id=connection_id, state=StagedState.NEW, kind=ChangeKind.APPEARED, now=now
            )
        step("tenants")
    if recount:
        sql_tenants.refresh_counts(connection_id=connection_id)
        step("tenant counts")
