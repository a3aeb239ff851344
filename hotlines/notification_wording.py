"""How a watch event's changes read (the page and the email digest): each field by the history's
label and its values in words, as the hotline's page says them, bounded for untrusted values."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

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
    return clip(str(value), VALUE_CHARS)


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters with an ellipsis (Django's Truncator normalises Unicode
    first: ten times slower, and the values are already NFC from the sync)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


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


def _url_maker(name: str):
    """A pk's URL without a `reverse()` each (a page shows up to a few hundred links), as the
    hotline table does: one reversed sample with the pk swapped."""
    sample = reverse(name, args=[0])
    head, tail = sample.rsplit("/0/", 1) if sample.count("/0/") == 1 else (None, None)
    if head is None:
        return lambda pk: reverse(name, args=[pk])
    return lambda pk: f"{head}/{pk}/{tail}"


def _view_url_maker():
    """A saved view's address (`hotlines:view-open`), or, where that page is not routed, the
    hotline list filtered by the view's query."""
    try:
        view_url = _url_maker("hotlines:view-open")
    except NoReverseMatch:
        list_url = reverse("hotlines:list")
        return lambda view: f"{list_url}?{view.query.lstrip('?')}" if view.query.lstrip("?") else list_url
    return lambda view: view_url(view.pk)


def notifications_prepare(notifications, *, site_url: str = "") -> None:
    """Give each notification (and its shown events) what the page or the email shows: its
    watch's address (the hotline's page or the saved view's), its "mark read" address, each
    event's hotline address and its changes in words. `site_url` makes the addresses absolute."""
    hotline_url, read_url = _url_maker("hotlines:detail"), _url_maker("hotlines:notification-read")
    view_url = _view_url_maker()
    for notification in notifications:
        watch = notification.watch
        target = ""
        if watch is not None and watch.hotline_id:
            target = hotline_url(watch.hotline_id)
        elif watch is not None and watch.view is not None:
            target = view_url(watch.view)
        notification.target_url = f"{site_url}{target}" if target else ""
        notification.read_url = read_url(notification.pk)
        for event in getattr(notification, "shown_events", ()):
            event.url = f"{site_url}{hotline_url(event.hotline_id)}"
            event.change_list = event_changes(event.changes)
