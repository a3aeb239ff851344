"""PostgreSQL's direct path (`direct.py`): the path production takes there, and the one the sync
tests take there (a wrapping transaction would make them stage and apply instead)."""

from __future__ import annotations

import pytest

from hotlines.choices import SyncStatus
from hotlines.models import StagedHotline
from hotlines.services.sync import direct, hotlines_sync, staging
from tests.conftest import postgresql_only

pytestmark = [pytest.mark.django_db(transaction=True), postgresql_only]


@pytest.fixture
def writers(monkeypatch) -> list[str]:
    """The writers the syncs of the test used, by name, in order."""
    used: list[str] = []
    for module, name in ((direct, "DirectWriter"), (staging, "StagingWriter")):
        original = getattr(module, name)

        def spy(*args, _original=original, _name=name, **kwargs):
            used.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, name, spy)
    return used


def test_syncs_on_postgresql_write_straight_into_the_snapshot(connection, sandbox, writers):
    first = hotlines_sync(connection=connection)  # an initial import (COPY)
    sandbox.dataset.patch(sandbox.dataset.all()[0]["id"], name="Tổng đài đã đổi tên")
    sandbox.dataset.remove(sandbox.dataset.all()[9]["id"])
    second = hotlines_sync(connection=connection)  # a later sync (upserts, history, removals)
    assert (first.status, first.created) == (SyncStatus.SUCCEEDED, 230)
    assert (second.status, second.updated, second.removed, second.unchanged) == (SyncStatus.SUCCEEDED, 1, 1, 228)
    assert writers == ["DirectWriter", "DirectWriter"]
    assert not StagedHotline.objects.exists()
