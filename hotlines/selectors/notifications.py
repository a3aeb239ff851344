"""Reads of a person's notifications: the bell's unread count, the Notifications page (grouped per
sync, then per watch, newest first, with their events) and what one email digest tells."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q, QuerySet

from ..models import Notification, NotificationKind, SyncRun, Watch, WatchEvent

# Notifications per page (the hotline list's default page size is 50; a notification carries up
# to EVENTS_SHOWN events, so a page stays about as long as a page of the list).
PER_PAGE = 25
# Events shown under one notification on the page and in an email; the rest are counted ("and
# 240 more") and are one click away in the view or the sync's own page.
EVENTS_SHOWN = 20
EMAIL_EVENTS_SHOWN = 50
# At most this many field changes per event, and this many characters per value: an upstream
# value is untrusted and may be huge.
CHANGES_SHOWN = 12
VALUE_CHARS = 200

_EVENT_FIELDS = ("id", "notification_id", "kind", "changes", "hotline__id", "hotline__hotline", "hotline__name")
_NOTIFICATION_FIELDS = (
    "id",
    "user_id",
    "kind",
    "subject",
    "entered",
    "left",
    "changed",
    "created_at",
    "read_at",
    "sync_run__id",
    "sync_run__connection__id",
    "sync_run__connection__name",
    "sync_run__status",
    "sync_run__started_at",
    "sync_run__finished_at",
    "sync_run__error",
    "watch__id",
    "watch__email",
    "watch__hotline_id",
    "watch__view__id",
    "watch__view__query",
    "watch__view__name",
)


def notification_unread_count(*, user) -> int:
    """How many of the person's notifications are unread (one COUNT on the `notification_unread` index)."""
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def _events(limit: int) -> Prefetch:
    events = WatchEvent.objects.select_related("hotline").only(*_EVENT_FIELDS).order_by("id")
    return Prefetch("events", queryset=events[:limit], to_attr="shown_events")


def notification_list(*, user, events: int = EVENTS_SHOWN) -> QuerySet[Notification]:
    """The person's notifications, newest first, each with its sync run, watch and first events."""
    return (
        Notification.objects.filter(user=user)
        .select_related("sync_run__connection", "watch__view")
        .only(*_NOTIFICATION_FIELDS)
        .prefetch_related(_events(events))
        .order_by("-created_at", "-id")
    )


def notification_get(*, user, pk: int) -> Notification | None:
    """One of the person's notifications (None when it is somebody else's or gone)."""
    return Notification.objects.filter(user=user, pk=pk).only("id", "user_id", "read_at").first()


@dataclass
class SyncGroup:
    """The notifications of one sync on one page, in the page's order."""

    run: SyncRun
    notifications: list[Notification] = field(default_factory=list)

    @property
    def unread(self) -> int:
        return sum(1 for notification in self.notifications if notification.read_at is None)


@dataclass(frozen=True)
class NotificationPage:
    """One page of the Notifications page: its groups, the paginator's page and the unread count."""

    page: Page
    groups: list[SyncGroup]
    unread: int


def notifications_grouped(notifications) -> list[SyncGroup]:
    """Consecutive notifications of one sync in one group (a sync's notifications are written
    together, so newest-first order keeps them together); a sync's failure first in its group."""
    groups: list[SyncGroup] = []
    for notification in notifications:
        if not groups or groups[-1].run.pk != notification.sync_run_id:
            groups.append(SyncGroup(run=notification.sync_run))
        groups[-1].notifications.append(notification)
    for group in groups:
        group.notifications.sort(key=lambda n: n.kind != NotificationKind.SYNC_FAILED)
    return groups


def notification_page(*, user, page_number: int, per_page: int = PER_PAGE) -> NotificationPage:
    """One page of the person's notifications, grouped; a page past the end is the last page.
    Queries: the count, the unread count, the page, its events (whatever the number of notifications)."""
    # The page is chosen on the (user, -created_at, -id) index alone, then only its rows are read with
    # their run, watch and events: a deep page's OFFSET skips index entries, not joined rows.
    ordered = Notification.objects.filter(user=user).order_by("-created_at", "-id").values_list("pk", flat=True)
    page = Paginator(ordered, per_page).get_page(page_number)
    by_pk = {n.pk: n for n in notification_list(user=user).filter(pk__in=list(page.object_list))}
    items = [by_pk[pk] for pk in page.object_list if pk in by_pk]
    page.object_list = items  # evaluated once: the groups and the page hold the same objects
    return NotificationPage(page=page, groups=notifications_grouped(items), unread=notification_unread_count(user=user))


def digest_notifications(*, user_id: int, sync_run_id: int) -> list[Notification]:
    """What one person's email digest of one sync tells: their emailed watches' notifications of
    the run, and the run's failure if they were told of it; a failure first, then by subject."""
    notifications = (
        notification_list(user=user_id, events=EMAIL_EVENTS_SHOWN)
        .filter(sync_run_id=sync_run_id)
        .filter(Q(kind=NotificationKind.SYNC_FAILED) | Q(kind=NotificationKind.WATCH, watch__email=True))
    )
    return sorted(notifications, key=lambda n: (n.kind != NotificationKind.SYNC_FAILED, n.subject.casefold(), n.pk))


def digest_recipient_ids(*, sync_run_id: int) -> list[int]:
    """Who gets a digest of a run: active people with an address who have a notification of an
    emailed watch in it, or were told that it failed and receive email for at least one watch."""
    watched = Notification.objects.filter(sync_run_id=sync_run_id, kind=NotificationKind.WATCH, watch__email=True)
    failed = Notification.objects.filter(
        sync_run_id=sync_run_id,
        kind=NotificationKind.SYNC_FAILED,
        user__in=Watch.objects.filter(email=True).values("user_id"),
    )
    ids = set(watched.values_list("user_id", flat=True)) | set(failed.values_list("user_id", flat=True))
    users = get_user_model().objects.filter(pk__in=ids, is_active=True).exclude(email="")
    return sorted(users.values_list("pk", flat=True))
