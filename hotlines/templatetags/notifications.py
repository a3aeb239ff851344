"""Template filters of the Notifications page and the email digest."""

from __future__ import annotations

from django import template

from ..choices import ChangeKind, label_for
from ..notification_wording import EventChange, event_changes
from ..selectors.notifications import watch_target_url

register = template.Library()


@register.filter
def watch_changes(event) -> list[EventChange]:
    """A watch event's field changes, bounded, ready for `change_values`."""
    return event_changes(event.changes)


@register.filter
def change_kind_label(change: EventChange) -> str:
    """ "Removed" or "Reappeared" for a change that is one of those."""
    return label_for(ChangeKind, change.kind)


@register.filter
def watch_url(watch) -> str:
    """The watch's target: a hotline's page or the saved view's address (a relative path)."""
    return watch_target_url(watch)


@register.simple_tag
def more_events(notification, shown) -> int:
    """How many of a notification's events are not listed under it."""
    total = notification.entered + notification.left + notification.changed
    return max(total - len(shown), 0)
