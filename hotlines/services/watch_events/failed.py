"""A failed sync tells only those who must act: the person who asked for it, and every active
Administrator (the role's group, or a superuser). Nobody else hears of it, and a failed run
produces no watch notification (`record` computes succeeded runs only)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q

from ...choices import SyncStatus
from ...models import Notification, NotificationKind, SyncRun
from ..users import ADMINISTRATOR

SUBJECT_MAX = Notification._meta.get_field("subject").max_length


def sync_failure_recipients(*, run: SyncRun) -> list[int]:
    """IDs of the active people a failed run is told to: its requester and the Administrators."""
    who = Q(is_superuser=True) | Q(groups__name=ADMINISTRATOR)
    if run.requested_by_id is not None:
        who |= Q(pk=run.requested_by_id)
    users = get_user_model().objects.filter(who, is_active=True).order_by("pk").values_list("pk", flat=True)
    return list(dict.fromkeys(users))


def sync_failed_notify(*, sync_run_id: int) -> int:
    """One "sync failed" notification per recipient, once (a retried task adds nothing); returns
    how many were made. Nothing for a run that did not fail."""
    run = SyncRun.objects.select_related("connection").filter(pk=sync_run_id).first()
    if run is None or run.status != SyncStatus.FAILED:
        return 0
    subject = str(run.connection)[:SUBJECT_MAX]
    rows = [
        Notification(user_id=user_id, sync_run=run, kind=NotificationKind.SYNC_FAILED, subject=subject)
        for user_id in sync_failure_recipients(run=run)
    ]
    before = Notification.objects.filter(sync_run=run, kind=NotificationKind.SYNC_FAILED).count()
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return Notification.objects.filter(sync_run=run, kind=NotificationKind.SYNC_FAILED).count() - before
