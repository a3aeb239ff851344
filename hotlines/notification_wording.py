"""How a watch event's changes read (the page and the email digest): each field by the history's
label and its values in words, as the hotline's page says them, bounded for untrusted values."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.text import Truncator

from .choices import ChangeKind
from .selectors.notifications import CHANGES_SHOWN, VALUE_CHARS

# Not fields: the hotline itself went away upstream or came back (the history's kinds).
_KIND_FIELDS = {ChangeKind.REMOVED.value, ChangeKind.REAPPEARED.value}


@dataclass(frozen=True, slots=True)
class EventChange:
    """One field change of a watch event, shaped like a history change (`field`, `old_value`,
    `new_value`) so the history's template tags word it; `kind` set when it is removed/reappeared."""

    field: str
    old_value: str
    new_value: str
    kind: str = ""


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if not isinstance(value, str | int | float):
        return "…"  # a nested value: never rendered as it came
    return Truncator(str(value)).chars(VALUE_CHARS)


def event_changes(changes) -> list[EventChange]:
    """A watch event's `changes` (JSON written by the watch engine) as at most CHANGES_SHOWN
    changes; anything not shaped as documented ({"field", "old", "new"}) is skipped."""
    if not isinstance(changes, list):
        return []
    result = []
    for change in changes:
        if not isinstance(change, dict) or not isinstance(change.get("field"), str):
            continue
        name = change["field"][:64]
        kind = name if name in _KIND_FIELDS else ""
        result.append(EventChange(name, _text(change.get("old")), _text(change.get("new")), kind))
        if len(result) == CHANGES_SHOWN:
            break
    return result
