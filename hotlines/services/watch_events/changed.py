"""What one sync changed, read for the watches: only the hotlines the run recorded a change for.

Two queries whatever the table's size: the run's `HotlineChange` rows, and the `Hotline` rows
they name (a semi-join on the run's changes, by primary key). No other hotline is ever read. Each
changed hotline comes back twice: as it is now (`after`) and as it was before the run (`before`,
the current row with the recorded old values put back; None for one that appeared).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.db.models import Subquery

from ...choices import ChangeKind
from ...models import Hotline, HotlineChange
from ..sync.compare import search_text

# What the matchers read of a hotline (never `raw`: a payload can be large, and no filter reads it).
STATE_FIELDS = (
    "id", "connection_id", "hotline", "name", "description", "network", "status", "is_free_charge",
    "upstream_connection_id", "connection_method", "owner_id", "created_at", "updated_at",
    "last_changed_at", "search_text", "is_removed",
)  # fmt: skip
_BOOLEANS = {"is_free_charge"}
# An event keeps at most this much of an old or new value (the hotline's history has it whole):
# a 10,000-character description changed must not become 10,000 characters per watcher.
VALUE_MAX = 300


@dataclass(slots=True)
class ChangedHotline:
    """One hotline the run changed: its state before and after, and the changes as events show them."""

    id: int
    after: dict
    before: dict | None  # None: it appeared in this run
    changes: list[dict] = field(default_factory=list)
    changes_json: str = "[]"  # the same, serialised once for every watch it concerns

    @property
    def changed_fields(self) -> set[str]:
        return {change["field"] for change in self.changes}


def _typed(name: str, text: str):
    """A recorded old value (text, as the history shows it) back in the column's type."""
    if name in _BOOLEANS:
        return {"true": True, "false": False}.get(text)
    return text


def _cut(text: str) -> str:
    return text if len(text) <= VALUE_MAX else text[: VALUE_MAX - 1] + "…"


def changed_hotlines(*, sync_run_id: int) -> list[ChangedHotline]:
    """Every hotline the run changed, with its before/after states (two queries)."""
    recorded: dict[int, list[tuple[str, str, str, str]]] = {}
    rows = HotlineChange.objects.filter(sync_run_id=sync_run_id).order_by("hotline_id", "id")
    for hotline_id, kind, name, old, new in rows.values_list("hotline_id", "kind", "field", "old_value", "new_value"):
        recorded.setdefault(hotline_id, []).append((kind, name, old, new))
    if not recorded:
        return []
    changed_ids = HotlineChange.objects.filter(sync_run_id=sync_run_id).values("hotline_id")
    current = Hotline.objects.filter(pk__in=Subquery(changed_ids)).order_by("pk").values_list(*STATE_FIELDS)
    result = []
    for values in current.iterator(chunk_size=5000):
        after = dict(zip(STATE_FIELDS, values, strict=True))
        result.append(_changed(after, recorded[after["id"]]))
    return result


def _changed(after: dict, recorded: list[tuple[str, str, str, str]]) -> ChangedHotline:
    before: dict | None = dict(after)
    changes: list[dict] = []
    for kind, name, old, new in recorded:
        if kind == ChangeKind.APPEARED:
            before = None
            changes.append({"field": "appeared", "old": "", "new": ""})
        elif kind == ChangeKind.REMOVED:
            if before is not None:
                before["is_removed"] = False
            changes.append({"field": "removed", "old": "", "new": ""})
        elif kind == ChangeKind.REAPPEARED:
            if before is not None:
                before["is_removed"] = True
            changes.append({"field": "reappeared", "old": "", "new": ""})
        elif name in after:
            if before is not None:
                before[name] = _typed(name, old)
            changes.append({"field": name, "old": _cut(old), "new": _cut(new)})
    if before is not None and ({"name", "description"} & {change["field"] for change in changes}):
        before["search_text"] = search_text(before["name"] or "", before["description"] or "")
    changed = ChangedHotline(id=after["id"], after=after, before=before, changes=changes)
    changed.changes_json = json.dumps(changes, ensure_ascii=False, separators=(",", ":"))
    return changed
