"""Fixtures of the watch engine's tests: a mirrored sandbox, a watcher, and a sync run to compute."""

from __future__ import annotations

import pytest

from hotlines.choices import SyncStatus
from hotlines.services.sync import hotlines_sync
from hotlines.services.users import VIEWER
from tests.factories import UserFactory


@pytest.fixture
def watcher(db):
    """A Viewer who keeps watches."""
    return UserFactory(username="watcher", roles=[VIEWER])


@pytest.fixture
def first_synced(connection, sandbox):
    """The sandbox's hotlines after a real first sync (an initial import: no change recorded)."""
    run = hotlines_sync(connection=connection)
    assert run.status == SyncStatus.SUCCEEDED, run.error
    return sandbox.dataset.all()


def sync(connection):
    """A real sync over HTTP from the sandbox; it must succeed."""
    run = hotlines_sync(connection=connection)
    assert run.status == SyncStatus.SUCCEEDED, run.error
    return run
