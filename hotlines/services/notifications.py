"""Writes of a person's notifications: mark one read, mark all read."""

from __future__ import annotations

from django.utils import timezone

from ..models import Notification


def notification_mark_read(*, user, notification_id: int) -> bool:
    """Mark one of the person's notifications read; False when it is not theirs (or gone).
    Reading it again keeps the first time it was read."""
    mine = Notification.objects.filter(user=user, pk=notification_id)
    if not mine.exists():
        return False
    mine.filter(read_at__isnull=True).update(read_at=timezone.now())
    return True


def notification_mark_all_read(*, user) -> int:
    """Mark every unread notification of the person read (one UPDATE on the unread index); how many."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
