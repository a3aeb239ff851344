"""Phase 1 of a sync: compare each fetched page with the snapshot and stage it.

Nothing readers see changes here. A hotline identical to the snapshot is staged by ID only (one
small row); a new or changed one is staged with the values `Hotline` will get. One page is in
memory at a time, and each page costs two statements whatever its size.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from ...etelecom import types
from ...models import Hotline, StagedState, SyncRun
from ...normalize import fold
from . import sql

# Names and descriptions repeat across hotlines (one company, many numbers): fold each once.
_fold = lru_cache(maxsize=50_000)(fold)


encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_encode_sorted = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode


def content_hash(raw_json: str) -> str:
    """The fingerprint of a hotline's payload: any upstream change, in any field, changes it."""
    return hashlib.sha256(raw_json.encode()).hexdigest()


def canonical(raw: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The payload as stored (without the NUL characters PostgreSQL refuses) and as stable JSON
    text (sorted keys) for its fingerprint."""
    text = _encode_sorted(raw)
    if "\\u0000" in text:
        raw = _without_nul(raw)
        text = _encode_sorted(raw)
    return raw, text


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value


def search_text(name: str, description: str) -> str:
    """Name and description folded for the quick search (lowercase, no accents)."""
    return " ".join(part for part in (_fold(name), _fold(description)) if part)


@dataclass
class StageCounts:
    """What staging found so far, by comparison with the snapshot."""

    same: int = 0
    new: int = 0
    changed: int = 0
    reappeared: int = 0
    duplicates: int = 0  # IDs already staged by an earlier page of the run (first seen wins)
    # The connection had no hotline at all before: every one appears. The run's `created` says
    # so once, instead of a history row per hotline (a million rows nobody would read).
    initial_import: bool = False

    @property
    def staged(self) -> int:
        return self.same + self.new + self.changed + self.reappeared


def sync_is_initial_import(*, connection_id: int) -> bool:
    """True when the connection has no hotline yet (not even removed ones)."""
    return not Hotline.objects.filter(connection_id=connection_id).exists()


class Writer(Protocol):
    """Where a page's hotlines go once compared: staging (then applied at the end), or straight
    into the snapshot inside the transaction that will publish it (PostgreSQL, `direct.py`)."""

    def keep_same(self, ids: list[str]) -> int:
        """Note hotlines identical to the snapshot; returns how many were new to the run."""

    def keep_rows(self, rows: list[dict[str, Any]]) -> Counter[int]:
        """Write new and changed hotlines; returns the states of those new to the run, counted."""


class StagingWriter:
    """Stages rows in `StagedHotline` (SQLite: the apply at the end is then short)."""

    def __init__(self, run: SyncRun) -> None:
        self.run_id = run.pk

    def keep_same(self, ids: list[str]) -> int:
        return sql.stage_ids(run_id=self.run_id, ids=ids, state=StagedState.SAME)

    def keep_rows(self, rows: list[dict[str, Any]]) -> Counter[int]:
        return Counter(sql.stage_rows(run_id=self.run_id, rows=encode(rows)))


class Stager:
    """Compares the pages of one run with the snapshot and hands them to a writer."""

    def __init__(self, run: SyncRun, writer: Writer | None = None, *, initial_import: bool | None = None) -> None:
        self.writer = writer or StagingWriter(run)
        self.connection_id = run.connection_id
        if initial_import is None:
            initial_import = sync_is_initial_import(connection_id=run.connection_id)
        # A connection's first sync has nothing to compare with: no per-page lookup.
        self.has_snapshot = not initial_import
        self.counts = StageCounts(initial_import=initial_import)
        self._datetime = sql.datetime_formatter()

    def stage(self, hotlines: Sequence[types.Hotline]) -> None:
        """Stage one page."""
        if not hotlines:
            return
        page: dict[str, tuple[types.Hotline, dict[str, Any], str]] = {}
        for item in hotlines:
            if item.id in page:
                self.counts.duplicates += 1  # twice on one page: keep the first
                continue
            raw, raw_json = canonical(item.raw)
            page[item.id] = (item, raw, content_hash(raw_json))
        current = sql.current_hashes(connection_id=self.connection_id, ids=list(page)) if self.has_snapshot else {}
        same: list[str] = []
        rows: list[dict[str, Any]] = []
        for etelecom_id, (item, raw, digest) in page.items():
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
        staged_same = self.writer.keep_same(same) if same else 0
        kept = self.writer.keep_rows(rows) if rows else Counter()
        self.counts.same += staged_same
        self.counts.new += kept[StagedState.NEW]
        self.counts.changed += kept[StagedState.CHANGED]
        self.counts.reappeared += kept[StagedState.REAPPEARED]
        self.counts.duplicates += (len(same) - staged_same) + (len(rows) - kept.total())

    def _row(self, item: types.Hotline, *, state: int, raw: dict[str, Any], digest: str) -> dict[str, Any]:
        return {
            "etelecom_id": item.id,
            "state": int(state),
            "hotline": item.hotline,
            "name": item.name,
            "description": item.description,
            "network": item.network,
            "status": item.status,
            "is_free_charge": item.is_free_charge,
            "upstream_connection_id": item.connection_id,
            "connection_method": item.connection_method,
            "owner_id": item.owner_id,
            "created_at": self._datetime(item.created_at),
            "updated_at": self._datetime(item.updated_at),
            "raw": raw,
            "content_hash": digest,
            "search_text": search_text(item.name, item.description),
        }
