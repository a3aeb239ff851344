"""A failed sync tells its requester and the active Administrators, once, and nobody else."""

from __future__ import annotations

import pytest

from hotlines.choices import SyncStatus
from hotlines.models import Notification
from hotlines.services.sync import hotlines_sync
from hotlines.services.users import ADMINISTRATOR, OPERATOR, VIEWER
from hotlines.services.watch_events import notifications_deliver, sync_failed_notify
from tests.factories import SavedViewFactory, SyncRunFactory, UserFactory, WatchFactory

pytestmark = pytest.mark.django_db


def test_the_requester_and_active_administrators_are_told_once(connection, sandbox, django_capture_on_commit_callbacks):
    operator = UserFactory(username="op", roles=[OPERATOR])
    UserFactory(username="boss", roles=[ADMINISTRATOR])
    UserFactory(username="root", is_superuser=True)
    UserFactory(username="old-admin", roles=[ADMINISTRATOR], is_active=False)
    bystander = UserFactory(username="viewer", roles=[VIEWER])
    WatchFactory(user=bystander, view=SavedViewFactory(owner=bystander, query=""))
    connection.api_key = "wrong-key"
    connection.save()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run = hotlines_sync(connection=connection, user=operator)
    assert run.status == SyncStatus.FAILED
    assert len(callbacks) == 1  # notify_sync_failed, after the failure is recorded

    assert sync_failed_notify(sync_run_id=run.pk) == 3
    assert sync_failed_notify(sync_run_id=run.pk) == 0  # a retried task adds nothing
    told = Notification.objects.filter(sync_run=run)
    assert sorted(told.values_list("user__username", flat=True)) == ["boss", "op", "root"]
    assert set(told.values_list("kind", "subject")) == {("sync_failed", "default")}
    assert notifications_deliver(sync_run_id=run.pk) == 3


def test_a_run_that_did_not_fail_tells_nobody(db):
    UserFactory(username="boss", roles=[ADMINISTRATOR])
    run = SyncRunFactory(status=SyncStatus.SUCCEEDED)
    assert sync_failed_notify(sync_run_id=run.pk) == 0
    assert sync_failed_notify(sync_run_id=987654) == 0
    assert not Notification.objects.exists()
