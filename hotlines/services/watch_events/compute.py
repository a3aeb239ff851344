"""Which changed hotlines concern which watch, and how: pure Python over what `changed` read and
`matching` compiled (no query here). Views with the same filter are evaluated once, and every
watch of a view shares its view's events."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ...models import WatchEventKind
from .changed import ChangedHotline
from .matching import ViewFilter

# (hotline ID, kind, changes as JSON text)
Event = tuple[int, str, str]


@dataclass(frozen=True, slots=True)
class WatchTarget:
    """A watch as the engine needs it: whose, of what, and what its notification is called."""

    watch_id: int
    user_id: int
    view_id: int | None = None
    hotline_id: int | None = None
    subject: str = ""


@dataclass(slots=True)
class ViewDelta:
    """What a sync did to one view: its events, and how many entered, left, changed."""

    events: list[Event] = field(default_factory=list)
    entered: int = 0
    left: int = 0
    changed: int = 0


@dataclass(slots=True)
class WatchOutcome:
    """One watch's notification to write: its counts and events."""

    target: WatchTarget
    subject: str
    delta: ViewDelta


def view_deltas(changed: list[ChangedHotline], filters: dict[int, ViewFilter]) -> dict[int, ViewDelta]:
    """Each view's delta; views whose filters select the same rows share one, and each distinct
    test (a status, a search, …) runs once per changed hotline, before and after, whatever the
    number of views that use it: a view's members are the intersection of its tests' passes."""
    after = _Passes([hotline.after for hotline in changed])
    before = _Passes([hotline.before for hotline in changed])
    by_key: dict[tuple, ViewDelta] = {}
    result = {}
    for view_id, view_filter in filters.items():
        delta = by_key.get(view_filter.key)
        if delta is None:
            delta = by_key[view_filter.key] = _delta(changed, view_filter, after, before)
        result[view_id] = delta
    return result


class _Passes:
    """Which of the states pass each test, by test key, computed on first use."""

    def __init__(self, states: list[dict | None]) -> None:
        self.states = states
        self.present = frozenset(i for i, state in enumerate(states) if state is not None)
        self.cache: dict[tuple, frozenset[int]] = {}

    def members(self, pairs) -> frozenset[int]:
        found = self.present
        for key, test in sorted(pairs, key=lambda pair: len(self._passing(*pair))):
            found = found & self._passing(key, test)
            if not found:
                break
        return found

    def _passing(self, key: tuple, test) -> frozenset[int]:
        passing = self.cache.get(key)
        if passing is None:
            states = self.states
            passing = self.cache[key] = frozenset(i for i in self.present if test(states[i]))
        return passing


def _delta(changed: list[ChangedHotline], view_filter: ViewFilter, after: _Passes, before: _Passes) -> ViewDelta:
    delta = ViewDelta()
    events = delta.events
    now = after.members((*view_filter.exact, *view_filter.dated))
    was = before.members(view_filter.exact)  # with dated filters: "maybe", never "surely"
    surely = not view_filter.dated
    for i in sorted(now | was):
        hotline = changed[i]
        if i in now:
            if i not in was:
                events.append((hotline.id, WatchEventKind.ENTERED, hotline.changes_json))
                delta.entered += 1
            else:
                # In the view before and after, or (dated filters) in it now and not known to
                # have entered: told as changed, never as an entry that may not be one.
                events.append((hotline.id, WatchEventKind.CHANGED, hotline.changes_json))
                delta.changed += 1
        elif surely:
            events.append((hotline.id, WatchEventKind.LEFT, hotline.changes_json))
            delta.left += 1
    return delta


def watch_outcomes(
    targets: Iterable[WatchTarget], *, changed: list[ChangedHotline], deltas: dict[int, ViewDelta]
) -> list[WatchOutcome]:
    """The notifications to write: one per watch that something concerns."""
    by_id = {hotline.id: hotline for hotline in changed}
    outcomes = []
    for target in targets:
        if target.view_id is not None:
            delta = deltas.get(target.view_id)
            if delta is None or not delta.events:
                continue
            outcomes.append(WatchOutcome(target=target, subject=target.subject, delta=delta))
            continue
        hotline = by_id.get(target.hotline_id)
        if hotline is None:
            continue
        event = (hotline.id, WatchEventKind.CHANGED, hotline.changes_json)
        delta = ViewDelta(events=[event], changed=1)
        outcomes.append(WatchOutcome(target=target, subject=hotline.after["hotline"], delta=delta))
    return outcomes
