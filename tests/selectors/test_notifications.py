"""Reads of notifications: the unread count, the grouping per sync, what a digest tells."""

from __future__ import annotations

import pytest
from django.utils import timezone

from hotlines.models import NotificationKind
from hotlines.notification_wording import event_changes
from hotlines.selectors.notifications import (
    digest_notifications,
    notification_page,
    notification_unread_count,
    notifications_grouped,
)
from hotlines.services.notifications import notification_mark_all_read, notification_mark_read
from tests.factories import NotificationFactory, SyncRunFactory, UserFactory, WatchFactory

pytestmark = pytest.mark.django_db


def test_unread_count_is_mine_and_unread_only():
    me = UserFactory()
    NotificationFactory.create_batch(2, user=me)
    NotificationFactory(user=me, read_at=timezone.now())
    NotificationFactory()
    assert notification_unread_count(user=me) == 2


def test_grouped_per_sync_in_page_order_with_a_failure_first():
    me = UserFactory()
    old_run, new_run = SyncRunFactory(), SyncRunFactory()
    NotificationFactory(user=me, sync_run=old_run)
    watch = NotificationFactory(user=me, sync_run=new_run)
    failed = NotificationFactory(user=me, sync_run=new_run, kind=NotificationKind.SYNC_FAILED, watch=None)
    listing = notification_page(user=me, page_number=1)
    assert [group.run.pk for group in listing.groups] == [new_run.pk, old_run.pk]
    assert [n.pk for n in listing.groups[0].notifications] == [failed.pk, watch.pk]
    assert listing.unread == 3 and listing.groups[0].unread == 2
    assert notifications_grouped([]) == []


def test_a_digest_tells_the_emailed_watches_and_the_failure_only():
    me, run = UserFactory(), SyncRunFactory()
    emailed = NotificationFactory(user=me, sync_run=run, watch=WatchFactory(user=me, email=True), subject="b")
    NotificationFactory(user=me, sync_run=run, subject="a")  # dashboard only
    failed = NotificationFactory(user=me, sync_run=run, kind=NotificationKind.SYNC_FAILED, watch=None)
    NotificationFactory(user=me, watch=WatchFactory(user=me, email=True))  # another run
    assert [n.pk for n in digest_notifications(user_id=me.pk, sync_run_id=run.pk)] == [failed.pk, emailed.pk]


def test_marking_read_is_mine_only():
    me = UserFactory()
    mine, theirs = NotificationFactory(user=me), NotificationFactory()
    assert notification_mark_read(user=me, notification_id=theirs.pk) is False
    assert notification_mark_read(user=me, notification_id=mine.pk) is True
    NotificationFactory.create_batch(2, user=me)
    assert notification_mark_all_read(user=me) == 2
    assert notification_mark_all_read(user=me) == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (None, []),
        ({"field": "status"}, []),
        ([{"field": "status", "old": "P", "new": "N"}], [("status", "P", "N", "")]),
        ([{"field": "removed"}], [("removed", "", "", "removed")]),
        ([{"field": "is_free_charge", "old": False, "new": True}], [("is_free_charge", "false", "true", "")]),
        ([{"field": "name", "old": {"a": [1]}, "new": 5}], [("name", "…", "5", "")]),
        (["x", 1, {"old": "no field"}, {"field": 3}], []),
    ],
)
def test_event_changes_take_only_the_documented_shape(changes, expected):
    got = [(c.field, c.old_value, c.new_value, c.kind) for c in event_changes(changes)]
    assert got == expected


def test_event_changes_are_bounded():
    changes = [{"field": "name", "old": "x" * 10_000, "new": "y"}] * 1000
    got = event_changes(changes)
    assert len(got) == 12 and len(got[0].old_value) <= 200
