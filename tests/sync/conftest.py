"""Fixtures of the sync tests: fast retries, a synced snapshot, and a full picture of the database."""

from __future__ import annotations

import pytest

from hotlines.services.sync import hotlines_sync


@pytest.fixture(autouse=True)
def fast_retries(settings):
    """The client's real retry machinery, with backoffs short enough for tests."""
    settings.ETELECOM_RETRIES = 2
    settings.ETELECOM_BACKOFF = 0.01
    settings.ETELECOM_BACKOFF_MAX = 0.05


@pytest.fixture
def synced(connection, sandbox):
    """A first successful sync: the snapshot later tests must keep (or correctly update)."""
    run = hotlines_sync(connection=connection)
    assert run.status == "succeeded", run.error
    return run


@pytest.fixture
def pending_change(sandbox, synced):
    """Upstream data that a successful sync would apply: a changed name, a removal, a new hotline."""
    items = sandbox.dataset.all()
    sandbox.dataset.patch(items[0]["id"], name="Tổng đài đã đổi tên")
    sandbox.dataset.remove(items[120]["id"])
    sandbox.dataset.add({**items[5], "id": "9100000000000000001", "hotline": "19009999"})
    return items
