"""The factories make valid rows, and the snapshot they write is the one a real sync writes."""

from __future__ import annotations

import pytest

from hotlines.models import Hotline
from hotlines.services.sync import hotlines_sync
from tests.factories import (
    AuditEntryFactory,
    ExportRecordFactory,
    HotlineChangeFactory,
    UserFactory,
    UserPreferenceFactory,
)

pytestmark = pytest.mark.django_db

SNAPSHOT = ("etelecom_id", "hotline", "name", "network", "status", "raw", "content_hash", "search_text")


def test_each_factory_saves_a_valid_row():
    change = HotlineChangeFactory()
    change.full_clean()
    assert change.sync_run.connection == change.hotline.connection
    user = UserFactory(roles=["Viewer"])
    assert user.check_password(f"pw-{user.username}")
    assert list(user.groups.values_list("name", flat=True)) == ["Viewer"]
    for row in (UserPreferenceFactory(user=user), ExportRecordFactory(user=user), AuditEntryFactory(actor=user)):
        row.full_clean()


@pytest.mark.django_db(transaction=True)  # the sync commits (on PostgreSQL a second connection heartbeats)
def test_synced_rows_are_what_a_real_sync_leaves(synced, connection):
    built = list(Hotline.objects.order_by("etelecom_id").values(*SNAPSHOT))
    assert len(built) == len(synced)
    run = hotlines_sync(connection=connection)  # compares with the factories' snapshot
    assert (run.error, run.created, run.updated, run.removed, run.unchanged) == ("", 0, 0, 0, len(synced))
    assert list(Hotline.objects.order_by("etelecom_id").values(*SNAPSHOT)) == built
