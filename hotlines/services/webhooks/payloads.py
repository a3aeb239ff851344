"""What a webhook receives: one JSON body per sync per watch (`watch.changed`), or a test
(`webhook.test`). Built once when the delivery is made, so every try sends the same bytes.

IDs are strings (64-bit eTelecom IDs do not survive JavaScript's numbers); links are absolute
(settings.SITE_URL); the events are bounded by WEBHOOK_MAX_EVENTS, with `truncated` and `count`.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from ...models import Notification, Watch, WatchEvent, Webhook

WATCH_CHANGED = "watch.changed"
WEBHOOK_TEST = "webhook.test"
MAX_CHANGES_PER_EVENT = 50
MAX_VALUE_LENGTH = 1000  # an upstream value longer than this is cut (names are at most 500)


def absolute(path: str) -> str:
    """A link that works from outside the dashboard."""
    return f"{settings.SITE_URL}{path}"


def watch_url(watch: Watch) -> str:
    """Where a watch's subject opens: its saved view's stable address, or the hotline's page."""
    if watch.view_id:
        try:
            return absolute(watch.view.get_absolute_url())
        except NoReverseMatch:
            # The view's own page may not exist in this release: the list in the view's state.
            query = watch.view.query
            return absolute(reverse("hotlines:list") + (f"?{quote(query, safe='=&+%')}" if query else ""))
    return absolute(reverse("hotlines:detail", args=[watch.hotline_id]))


def _value(value: Any) -> Any:
    """An old or new value as sent: scalars only, long text cut, anything else as short text."""
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)[:MAX_VALUE_LENGTH]


def _changes(changes: Any) -> list[dict[str, Any]]:
    if not isinstance(changes, list):
        return []
    out = []
    for change in changes[:MAX_CHANGES_PER_EVENT]:
        if isinstance(change, dict) and change.get("field"):
            out.append(
                {
                    "field": str(change["field"])[:100],
                    "old": _value(change.get("old")),
                    "new": _value(change.get("new")),
                }
            )
    return out


def _event(event: WatchEvent) -> dict[str, Any]:
    hotline = event.hotline
    return {
        "hotline": {
            "id": str(hotline.pk),
            "etelecom_id": hotline.etelecom_id,
            "number": hotline.hotline,
            "url": absolute(reverse("hotlines:detail", args=[hotline.pk])),
        },
        "kind": event.kind,
        "changes": _changes(event.changes),
    }


def watch_changed_payload(*, notification: Notification, delivery_id: str, max_events: int) -> dict[str, Any]:
    """The `watch.changed` body for one watch's notification of one sync (`delivery_id` is its
    idempotency key). Reads at most `max_events` events, plus one count."""
    run, watch = notification.sync_run, notification.watch
    events = notification.events.select_related("hotline").order_by("id")
    count = events.count()
    return {
        "event": WATCH_CHANGED,
        "id": delivery_id,
        "sync_run": {
            "id": str(run.pk),
            "finished_at": run.finished_at.isoformat() if run.finished_at else None,
            "connection": run.connection.name,
            "url": absolute(reverse("hotlines:sync-detail", args=[run.pk])),
        },
        "watch": {
            "id": str(watch.pk),
            "kind": "view" if watch.view_id else "hotline",
            "subject": notification.subject,
            "url": watch_url(watch),
        },
        "entered": notification.entered,
        "left": notification.left,
        "changed": notification.changed,
        "events": [_event(event) for event in events[: max(0, max_events)]],
        "count": count,
        "truncated": count > max_events,
    }


def webhook_test_payload(*, webhook: Webhook, delivery_id: str, sent_by: str) -> dict[str, Any]:
    """The `webhook.test` body: what "Send test" posts, so a receiver can check its signature code."""
    return {
        "event": WEBHOOK_TEST,
        "id": delivery_id,
        "webhook": {"id": str(webhook.pk), "name": webhook.name},
        "sent_by": sent_by,
        "dashboard": absolute(reverse("hotlines:home")),
    }


def encode(payload: dict[str, Any]) -> str:
    """The body as stored and sent (UTF-8 JSON, compact, Vietnamese kept as is)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
