"""Phase 1 of a sync, on both databases: compare each fetched page with the snapshot and hand
what differs to a writer.

The writer decides where a page goes: `StagingWriter` stages it (`staging.py`: SQLite, or inside
a caller's transaction), `DirectWriter` writes it straight into the snapshot inside the
transaction that will publish it (`direct.py`: PostgreSQL). A hotline identical to the snapshot
is kept by ID only; a new or changed one with the values `Hotline` will get. One page is in
memory at a time, and each page costs two statements whatever its size.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from operator import attrgetter
from typing import Any, Protocol

import orjson

from ...etelecom import types
from ...hotline_fields import CONTENT_FIELDS, DATETIME
from ...iterators import read_ahead
from ...models import Hotline, StagedState, SyncRun
from ...normalize import fold
from . import sql
from .interrupt import sync_check_stop

Pages = Iterator[types.HotlinePage]  # what the client's iter_hotline_pages returns
Progress = Callable[[SyncRun], None]  # told of the run after each page (the command's progress bar)

_encode_sorted = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode
# The value types for which orjson writes exactly what `_encode_sorted` writes (same escapes, same
# key order, compact), ten times faster: every field of an eTelecom payload. Floats are not among
# them (orjson writes 1e-7 where json writes 1e-07), nor containers, which may hold floats.
_ORJSON_SAME = frozenset({str, int, bool, type(None)})
_ORJSON_SORTED = orjson.OPT_SORT_KEYS


def content_hash(raw_json: str) -> str:
    """The fingerprint of a hotline's payload: any upstream change, in any field, changes it."""
    return hashlib.sha256(raw_json.encode()).hexdigest()


def canonical(raw: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The payload as stored (without the NUL characters PostgreSQL refuses) and as stable JSON
    text (sorted keys) for its fingerprint."""
    text = _encode_sorted_fast(raw)
    if "\\u0000" in text:
        raw = _without_nul(raw)
        text = _encode_sorted(raw)
    return raw, text


def _encode_sorted_fast(raw: dict[str, Any]) -> str:
    """`_encode_sorted(raw)`, by orjson where it writes the same text (a fingerprint that changed
    with the encoder would make every hotline look changed once)."""
    if _ORJSON_SAME.issuperset(map(type, raw.values())):
        try:
            return orjson.dumps(raw, option=_ORJSON_SORTED).decode()
        except orjson.JSONEncodeError:  # an int beyond 64 bits, a lone surrogate, a key not text
            pass
    return _encode_sorted(raw)


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value


# Names and descriptions repeat across hotlines (one company, many numbers): fold each pair once.
@lru_cache(maxsize=50_000)
def search_text(name: str, description: str) -> str:
    """Name and description folded for the quick search (lowercase, no accents)."""
    return " ".join(part for part in (fold(name), fold(description)) if part)


@dataclass
class PageCounts:
    """What comparing the pages with the snapshot found so far."""

    same: int = 0
    new: int = 0
    changed: int = 0
    reappeared: int = 0
    duplicates: int = 0  # IDs already seen on an earlier page of the run (first seen wins)
    # The connection had no hotline at all before: every one appears. The run's `created` says
    # so once, instead of a history row per hotline (a million rows nobody would read).
    initial_import: bool = False

    @property
    def seen(self) -> int:
        """Hotlines of the run handed to the writer (duplicates aside)."""
        return self.same + self.new + self.changed + self.reappeared


def sync_is_initial_import(*, connection_id: int) -> bool:
    """True when the connection has no hotline yet (not even removed ones)."""
    return not Hotline.objects.filter(connection_id=connection_id).exists()


class Writer(Protocol):
    """Where a page's hotlines go once compared: staging (then applied at the end, `staging.py`),
    or straight into the snapshot inside the transaction that will publish it (`direct.py`)."""

    # The rows' payload as JSON text (what its fingerprint was made from) rather than a dict.
    raw_text: bool
    # How the rows' datetimes are written (the writer's SQL decides).
    datetime: Callable[[datetime | None], Any]

    def keep_same(self, ids: list[str]) -> int:
        """Note hotlines identical to the snapshot; returns how many were new to the run."""

    def keep_rows(self, rows: list[dict[str, Any]]) -> Counter[int]:
        """Write new and changed hotlines; returns the states of those new to the run, counted."""


@dataclass
class PreparedPage:
    """A page made ready in the worker thread: deduplicated and fingerprinted ({id: (hotline,
    payload, fingerprint)}); for an initial import, its rows built too."""

    fetched: int
    duplicates: int
    items: dict[str, tuple[types.Hotline, dict[str, Any] | str, str]]
    rows: list[dict[str, Any]] | None = None


class PageComparer:
    """Compares the pages of one run with the snapshot and hands them to a writer."""

    def __init__(self, run: SyncRun, writer: Writer, *, initial_import: bool) -> None:
        self.run = run
        self.writer = writer
        self.connection_id = run.connection_id
        # A connection's first sync has nothing to compare with: no per-page lookup.
        self.has_snapshot = not initial_import
        self.counts = PageCounts(initial_import=initial_import)

    def prepare(self, page: types.HotlinePage) -> PreparedPage:
        """Deduplicate and fingerprint a page, and build its rows when all are new. No database:
        this runs in a worker thread, while the main thread waits on the database."""
        raw_text = self.writer.raw_text
        items: dict[str, tuple[types.Hotline, dict[str, Any] | str, str]] = {}
        for item in page.hotlines:
            if item.id not in items:  # twice on one page: keep the first
                raw, raw_json = canonical(item.raw)
                items[item.id] = (item, raw_json if raw_text else raw, content_hash(raw_json))
        prepared = PreparedPage(fetched=len(page.hotlines), duplicates=len(page.hotlines) - len(items), items=items)
        if not self.has_snapshot and items:
            prepared.rows = [
                self._row(item, state=StagedState.NEW, raw=raw, digest=digest) for item, raw, digest in items.values()
            ]
        return prepared

    def compare_pages(
        self,
        pages: Pages,
        *,
        heartbeat: Callable[[SyncRun], None],
        heartbeat_due: Callable[[], bool],
        progress: Progress | None,
    ) -> None:
        """Compare and write every page (each prepared in a worker thread while the one before is
        written), keeping the run's figures, its heartbeat and the progress callback up to date."""
        run = self.run

        def waiting() -> None:
            """While the next page is slow to come: stop if asked to, and keep the heartbeat
            going (which also notices a Cancel)."""
            sync_check_stop(run=run)
            if heartbeat_due():
                heartbeat(run)

        # The main thread waits on the database meanwhile, outside the GIL.
        with closing(read_ahead(self._prepared(pages), name="sync-prepare", on_wait=waiting)) as prepared:
            for page in prepared:
                sync_check_stop(run=run)
                self.compare(page)
                run.pages += 1
                run.fetched += page.fetched
                run.duplicates = self.counts.duplicates
                if heartbeat_due():
                    heartbeat(run)
                if progress:
                    progress(run)
        sync_check_stop(run=run)
        heartbeat(run)

    def _prepared(self, pages: Iterator[types.HotlinePage]) -> Iterator[PreparedPage]:
        # Closed by the thread that reads ahead, which alone ever runs it: the pages with it.
        with closing(pages):
            for page in pages:
                yield self.prepare(page)

    def compare(self, page: PreparedPage) -> None:
        """Compare a prepared page with the snapshot and hand it to the writer."""
        self.counts.duplicates += page.duplicates
        if not page.items:
            return
        same: list[str] = []
        if page.rows is not None:
            rows = page.rows
        else:
            current = sql.current_hashes(connection_id=self.connection_id, ids=list(page.items))
            rows = []
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
        kept_same = self.writer.keep_same(same) if same else 0
        kept = self.writer.keep_rows(rows) if rows else Counter()
        self.counts.same += kept_same
        self.counts.new += kept[StagedState.NEW]
        self.counts.changed += kept[StagedState.CHANGED]
        self.counts.reappeared += kept[StagedState.REAPPEARED]
        self.counts.duplicates += (len(same) - kept_same) + (len(rows) - kept.total())

    def _row(self, item: types.Hotline, *, state: int, raw: dict[str, Any] | str, digest: str) -> dict[str, Any]:
        row = dict(zip(_VALUE_COLUMNS, _values(item), strict=True))
        for column, attribute in _DATETIME_COLUMNS:
            row[column] = self.writer.datetime(getattr(item, attribute))
        row.update(
            etelecom_id=item.id,
            state=int(state),
            raw=raw,
            content_hash=digest,
            search_text=search_text(item.name, item.description),
        )
        return row


# A staged row's upstream values, read from the parsed hotline in one call (a page builds a
# hundred rows, an initial import millions); datetimes are written as the writer's SQL wants.
_VALUE_FIELDS = [field for field in CONTENT_FIELDS if field.kind != DATETIME]
_VALUE_COLUMNS = [field.name for field in _VALUE_FIELDS]
_values = attrgetter(*(field.api_name for field in _VALUE_FIELDS))
_DATETIME_COLUMNS = [(field.name, field.api_name) for field in CONTENT_FIELDS if field.kind == DATETIME]
