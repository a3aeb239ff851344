"""Template tags of the Notifications page and the email digest."""

from __future__ import annotations

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from ..choices import ChangeKind, label_for
from ..notification_wording import EventChange, clip
from ..tables import number_html
from .browsing import change_field_label, change_new, change_old

register = template.Library()

NAME_CHARS = 80


@register.filter
def change_kind_label(change: EventChange) -> str:
    """ "Removed" or "Reappeared" for a change that is one of those."""
    return label_for(ChangeKind, change.kind)


@register.simple_tag
def more_events(notification, shown) -> int:
    """How many of a notification's events are not listed under it."""
    total = notification.entered + notification.left + notification.changed
    return max(total - len(shown), 0)


def _e(text) -> str:
    return escape(str(text), quote=True)


@register.simple_tag
def event_items(notification) -> SafeString:
    """The `<li>` of each shown event of a notification (see `notifications_prepare`): the hotline's
    number linking to its page, its name, entered/left, and each change as the history words it.
    Built in Python, like the hotline table's cells: a page holds up to 500 of them."""
    entered, left = _e(gettext("entered the view")), _e(gettext("left the view"))
    items = []
    for event in notification.shown_events:
        hotline = event.hotline
        parts = [f'<li><a href="{_e(event.url)}" class="change-name">{number_html(hotline.hotline or "")}</a>']
        if hotline.name:
            parts.append(f' <span class="muted">{_e(clip(hotline.name, NAME_CHARS))}</span>')
        parts.append(' <span class="change-what">')
        if event.kind == "entered":
            parts.append(entered)
        elif event.kind == "left":
            parts.append(left)
        for change in event.change_list:
            if change.kind:
                parts.append(f' <span class="pill">{_e(label_for(ChangeKind, change.kind))}</span>')
            else:
                parts.append(
                    f' <span class="event-change"><strong>{_e(change_field_label(change.field))}</strong>: '
                    f'<span class="old">{_e(change_old(change))}</span> → '
                    f'<span class="new">{_e(change_new(change))}</span></span>'
                )
        parts.append("</span></li>")
        items.append("".join(parts))
    return mark_safe("".join(items))  # noqa: S308 - every value above is escaped
