"""Mirror a connection's eTelecom hotlines into the local database, all or nothing.

A sync runs in two phases:

1. **Fetch**: every page is fetched and validated. Each hotline is compared (by content
   hash) with the current snapshot and staged in `StagedHotline`; unchanged ones are staged
   by ID only. Nothing readers see changes, and memory holds one page at a time. The next
   page is fetched in a background thread while the current one is staged.
2. **Apply**: only once every page arrived, one transaction creates, updates (bulk upsert of
   the changed rows only), marks removed, writes the change history and marks the run
   succeeded. Readers see the old snapshot or the new one, never a mix.

Any failure leaves the snapshot exactly as it was and records a message a person understands.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from ..choices import ChangeKind, SyncStatus, SyncTrigger
from ..etelecom import types
from ..etelecom.client import EtelecomClient
from ..etelecom.exceptions import EtelecomError
from ..models import Connection, Hotline, HotlineChange, StagedHotline, SyncRun
from ..normalize import fold
from .connections import connection_client, connection_ensure_from_settings

logger = logging.getLogger(__name__)

BATCH_SIZE = 2000
HEARTBEAT_EVERY = 1.0  # seconds between progress writes to the run row
# The upstream fields kept on Hotline, and those whose changes the history records.
CONTENT_FIELDS = (
    "hotline",
    "name",
    "description",
    "network",
    "status",
    "is_free_charge",
    "upstream_connection_id",
    "connection_method",
    "owner_id",
    "created_at",
    "updated_at",
)
HISTORY_FIELDS = tuple(f for f in CONTENT_FIELDS if f not in ("created_at", "updated_at"))
UPDATE_FIELDS = (*CONTENT_FIELDS, "raw", "content_hash", "search_text", "is_removed", "removed_at", "last_changed_at")

Progress = Callable[[SyncRun], None]


class SyncAlreadyRunning(Exception):
    """Another sync of this connection is running; it carries that run."""

    def __init__(self, run: SyncRun) -> None:
        self.run = run
        started = timezone.localtime(run.started_at).strftime("%Y-%m-%d %H:%M:%S")
        super().__init__(f"A sync of '{run.connection}' is already running since {started} (run #{run.pk}).")


@dataclass(frozen=True, slots=True)
class _Row:
    """A validated hotline turned into the values stored on `Hotline`."""

    etelecom_id: str
    values: dict
    raw: dict
    content_hash: str

    @classmethod
    def from_hotline(cls, item: types.Hotline) -> _Row:
        values = {
            "hotline": item.hotline,
            "name": item.name,
            "description": item.description,
            "network": item.network,
            "status": item.status,
            "is_free_charge": item.is_free_charge,
            "upstream_connection_id": item.connection_id,
            "connection_method": item.connection_method,
            "owner_id": item.owner_id,
            "created_at": item.created_at.isoformat() if item.created_at else None,
            "updated_at": item.updated_at.isoformat() if item.updated_at else None,
        }
        digest = hashlib.sha256(json.dumps(values, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        return cls(etelecom_id=item.id, values=values, raw=item.raw, content_hash=digest)


# --- single flight -------------------------------------------------------------------------


def sync_run_start(*, connection: Connection, trigger: str, user=None) -> SyncRun:
    """Record a running sync, or raise SyncAlreadyRunning. The database decides (a partial
    unique index on running runs), so it holds across processes and machines."""
    for _attempt in range(2):
        try:
            with transaction.atomic():
                now = timezone.now()
                return SyncRun.objects.create(
                    connection=connection, trigger=trigger, requested_by=user, heartbeat_at=now
                )
        except IntegrityError:
            running = SyncRun.objects.filter(connection=connection, status=SyncStatus.RUNNING).first()
            if running is None:
                continue  # it finished meanwhile
            if not sync_run_fail_if_dead(run=running):
                raise SyncAlreadyRunning(running) from None
    raise SyncAlreadyRunning(SyncRun.objects.filter(connection=connection, status=SyncStatus.RUNNING).first())


def sync_run_fail_if_dead(*, run: SyncRun) -> bool:
    """Mark a running sync failed when its heartbeat stopped (its process died). True if it was."""
    cutoff = timezone.now() - timedelta(seconds=settings.SYNC_HEARTBEAT_TIMEOUT)
    beat = run.heartbeat_at or run.started_at
    if beat >= cutoff:
        return False
    since = timezone.localtime(beat).strftime("%Y-%m-%d %H:%M:%S")
    updated = SyncRun.objects.filter(pk=run.pk, status=SyncStatus.RUNNING, heartbeat_at=run.heartbeat_at).update(
        status=SyncStatus.FAILED,
        finished_at=timezone.now(),
        error=f"The process running this sync stopped responding (no sign of life since {since}).",
    )
    StagedHotline.objects.filter(sync_run=run).delete()
    return bool(updated)


def sync_runs_fail_dead() -> int:
    """Fail every running sync whose process died; returns how many."""
    return sum(sync_run_fail_if_dead(run=run) for run in SyncRun.objects.filter(status=SyncStatus.RUNNING))


# --- the sync ------------------------------------------------------------------------------


def hotlines_sync_all(
    *, trigger: str = SyncTrigger.COMMAND, user=None, progress: Progress | None = None
) -> list[SyncRun]:
    """Sync every active connection, one after the other; returns their runs."""
    connection_ensure_from_settings()
    return [
        hotlines_sync(connection=connection, trigger=trigger, user=user, progress=progress)
        for connection in Connection.objects.filter(is_active=True)
    ]


def hotlines_sync(
    *,
    connection: Connection,
    trigger: str = SyncTrigger.COMMAND,
    user=None,
    client: EtelecomClient | None = None,
    progress: Progress | None = None,
    run: SyncRun | None = None,
) -> SyncRun:
    """Fetch every page of the connection's hotlines and, only if all arrived, apply them.

    Raises SyncAlreadyRunning if another sync of the connection is running. Any other
    failure is recorded on the returned run (status failed, `error` says why).
    """
    run = run or sync_run_start(connection=connection, trigger=trigger, user=user)
    own_client = client is None
    client = client or connection_client(connection)
    try:
        _fetch_and_stage(run=run, client=client, progress=progress)
        _apply(run=run)
    except EtelecomError as exc:
        _fail(run, exc.message)
    except BaseException as exc:
        logger.exception("sync %s of %s failed unexpectedly", run.pk, connection)
        _fail(run, _unexpected(exc))
        if not isinstance(exc, Exception):
            raise  # KeyboardInterrupt, SystemExit: recorded, then let them through
    finally:
        if own_client:
            client.close()
        StagedHotline.objects.filter(sync_run=run).delete()
    if progress:
        progress(run)
    logger.info(
        "sync %s of %s %s: pages=%s fetched=%s created=%s updated=%s removed=%s unchanged=%s%s",
        run.pk, connection, run.status, run.pages, run.fetched, run.created, run.updated,
        run.removed, run.unchanged, f" error={run.error}" if run.error else "",
    )  # fmt: skip
    return run


def _unexpected(exc: BaseException) -> str:
    if isinstance(exc, KeyboardInterrupt):
        return "The sync was interrupted before it finished; the previous data is unchanged."
    return f"The sync stopped on an unexpected error ({type(exc).__name__}); the previous data is unchanged."


def _fail(run: SyncRun, message: str) -> None:
    run.status = SyncStatus.FAILED
    run.error = message
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "finished_at", "pages", "fetched", "duplicates"])


def _prefetched(pages: Iterator[types.HotlinePage]) -> Iterator[types.HotlinePage]:
    """Yield pages while the next one is already being fetched in a worker thread."""
    sentinel = object()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="etelecom-fetch") as pool:
        future = pool.submit(next, pages, sentinel)
        while True:
            page = future.result()
            if page is sentinel:
                return
            future = pool.submit(next, pages, sentinel)
            yield page


def _fetch_and_stage(*, run: SyncRun, client: EtelecomClient, progress: Progress | None) -> None:
    connection = run.connection
    pages = client.iter_hotline_pages(limit=connection.page_size, max_pages=settings.ETELECOM_MAX_PAGES)
    last_beat = 0.0
    for page in _prefetched(pages):
        rows = [_Row.from_hotline(item) for item in page.hotlines]
        staged = _stage(run=run, rows=rows)
        run.pages += 1
        run.fetched += len(rows)
        run.duplicates += len(rows) - staged
        now = time.monotonic()
        if now - last_beat >= HEARTBEAT_EVERY:
            last_beat = now
            run.heartbeat_at = timezone.now()
            run.save(update_fields=["pages", "fetched", "duplicates", "heartbeat_at"])
            if progress:
                progress(run)


def _stage(*, run: SyncRun, rows: list[_Row]) -> int:
    """Stage one page. Rows identical to the current snapshot are staged by ID only.
    Returns how many rows were new to this run (a repeated ID is kept once, first seen wins)."""
    if not rows:
        return 0
    unique: dict[str, _Row] = {}
    for row in rows:
        unique.setdefault(row.etelecom_id, row)
    current = dict(
        Hotline.objects.filter(connection=run.connection, etelecom_id__in=list(unique), is_removed=False).values_list(
            "etelecom_id", "content_hash"
        )
    )
    # An ID already staged by an earlier page of this run (the list shifted under the cursor).
    for seen in StagedHotline.objects.filter(sync_run=run, etelecom_id__in=list(unique)).values_list(
        "etelecom_id", flat=True
    ):
        unique.pop(seen, None)
    StagedHotline.objects.bulk_create(
        [
            StagedHotline(
                sync_run=run,
                etelecom_id=row.etelecom_id,
                content_hash=row.content_hash,
                payload=None if current.get(row.etelecom_id) == row.content_hash else {"v": row.values, "raw": row.raw},
            )
            for row in unique.values()
        ],
        batch_size=BATCH_SIZE,
    )
    return len(unique)


def _apply(*, run: SyncRun) -> None:
    """Make the staged snapshot the current one, in one transaction."""
    now = timezone.now()
    connection = run.connection
    with transaction.atomic():
        # Lock the run row: if a dead-run sweeper failed us meanwhile, stop here.
        locked = SyncRun.objects.select_for_update().get(pk=run.pk)
        if locked.status != SyncStatus.RUNNING:
            raise EtelecomError(locked.error or "This sync was stopped before it could be applied.")
        for chunk in _changed_chunks(run):
            _apply_chunk(run=run, connection=connection, chunk=chunk, now=now)
        run.removed = _mark_removed(run=run, connection=connection, now=now)
        run.unchanged = StagedHotline.objects.filter(sync_run=run, payload__isnull=True).count()
        run.status = SyncStatus.SUCCEEDED
        run.finished_at = timezone.now()
        run.heartbeat_at = run.finished_at
        run.save()


def _changed_chunks(run: SyncRun) -> Iterable[list[tuple[str, dict]]]:
    last_id = 0
    while True:
        chunk = list(
            StagedHotline.objects.filter(sync_run=run, pk__gt=last_id, payload__isnull=False)
            .order_by("pk")
            .values_list("pk", "etelecom_id", "payload")[:BATCH_SIZE]
        )
        if not chunk:
            return
        last_id = chunk[-1][0]
        yield [(etelecom_id, payload) for _pk, etelecom_id, payload in chunk]


def _parse_values(values: dict) -> dict:
    out = dict(values)
    for key in ("created_at", "updated_at"):
        if out[key]:
            out[key] = datetime.fromisoformat(out[key])
    return out


def _display(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _apply_chunk(*, run: SyncRun, connection: Connection, chunk: list[tuple[str, dict]], now: datetime) -> None:
    existing = {
        h.etelecom_id: h for h in Hotline.objects.filter(connection=connection, etelecom_id__in=[c[0] for c in chunk])
    }
    new: list[Hotline] = []
    changed: list[Hotline] = []
    history: list[HotlineChange] = []
    for etelecom_id, payload in chunk:
        values = _parse_values(payload["v"])
        digest = hashlib.sha256(json.dumps(payload["v"], sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        search_text = fold(f"{values['name']} {values['description']}")
        hotline = existing.get(etelecom_id)
        if hotline is None:
            new.append(
                Hotline(
                    connection=connection, etelecom_id=etelecom_id, raw=payload["raw"], content_hash=digest,
                    search_text=search_text, last_changed_at=now, **values,
                )
            )  # fmt: skip
            continue
        if hotline.is_removed:
            history.append(HotlineChange(hotline_id=hotline.pk, sync_run=run, kind=ChangeKind.REAPPEARED))
        for field in HISTORY_FIELDS:
            old, new_value = getattr(hotline, field), values[field]
            if old != new_value:
                history.append(
                    HotlineChange(
                        hotline_id=hotline.pk, sync_run=run, kind=ChangeKind.CHANGED, field=field,
                        old_value=_display(old), new_value=_display(new_value),
                    )
                )  # fmt: skip
        for field, value in values.items():
            setattr(hotline, field, value)
        hotline.raw, hotline.content_hash, hotline.search_text = payload["raw"], digest, search_text
        hotline.is_removed, hotline.removed_at, hotline.last_changed_at = False, None, now
        changed.append(hotline)
    if new:
        Hotline.objects.bulk_create(new, batch_size=BATCH_SIZE)
        history.extend(HotlineChange(hotline=h, sync_run=run, kind=ChangeKind.APPEARED) for h in new)
    if changed:
        # An upsert on (connection, etelecom_id) is far cheaper than bulk_update's CASE per field.
        for hotline in changed:
            hotline.pk = None
        Hotline.objects.bulk_create(
            changed,
            batch_size=BATCH_SIZE,
            update_conflicts=True,
            unique_fields=["connection", "etelecom_id"],
            update_fields=UPDATE_FIELDS,
        )
    HotlineChange.objects.bulk_create(history, batch_size=BATCH_SIZE)
    run.created += len(new)
    run.updated += len(changed)


def _mark_removed(*, run: SyncRun, connection: Connection, now: datetime) -> int:
    gone = Hotline.objects.filter(connection=connection, is_removed=False).filter(
        ~Exists(StagedHotline.objects.filter(sync_run=run, etelecom_id=OuterRef("etelecom_id")))
    )
    count = 0
    batch: list[HotlineChange] = []
    for pk in gone.values_list("pk", flat=True).iterator(chunk_size=BATCH_SIZE):
        batch.append(HotlineChange(hotline_id=pk, sync_run=run, kind=ChangeKind.REMOVED))
        count += 1
        if len(batch) >= BATCH_SIZE:
            HotlineChange.objects.bulk_create(batch)
            batch = []
    HotlineChange.objects.bulk_create(batch)
    if count:
        gone.update(is_removed=True, removed_at=now, last_changed_at=now)
    return count
