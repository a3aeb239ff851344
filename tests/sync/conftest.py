"""Fixtures of the sync tests: fast retries, a synced snapshot, and a full picture of the database."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection as db_connection

from hotlines.models import SyncRun
from hotlines.services.connections.client import connection_client
from hotlines.services.sync import hotlines_sync, orchestrator

from .helpers import ROOT
from .tenant_upstream import TenantClient, TenantUpstream, tenants_for


@pytest.fixture(autouse=True)
def fast_retries(settings):
    """The client's real retry machinery, with backoffs short enough for tests."""
    settings.ETELECOM_RETRIES = 2
    settings.ETELECOM_BACKOFF = 0.01
    settings.ETELECOM_BACKOFF_MAX = 0.05


@pytest.fixture(autouse=True)
def _production_write_path(request, monkeypatch):
    """On PostgreSQL a sync test runs the path production runs there (`direct.py`): a test under
    a wrapping transaction would silently stage and apply instead. Only a test that says
    `django_db(transaction=False)` on purpose (it tests that fallback) may take it."""
    marker = request.node.get_closest_marker("django_db")
    if db_connection.vendor != "postgresql" or (marker and marker.kwargs.get("transaction") is False):
        yield
        return
    staged = []
    original = orchestrator.sync_staged

    def spy(**kwargs) -> None:
        staged.append(kwargs["run"].pk)
        original(**kwargs)

    monkeypatch.setattr(orchestrator, "sync_staged", spy)
    yield
    assert not staged, f"sync runs {staged} staged and applied on PostgreSQL: mark the test django_db(transaction=True)"


@pytest.fixture
def first_sync(connection, sandbox):
    """A first successful sync: the snapshot later tests must keep (or correctly update)."""
    run = hotlines_sync(connection=connection)
    assert run.status == "succeeded", run.error
    return run


@pytest.fixture
def pending_change(sandbox, first_sync):
    """Upstream data that a successful sync would apply: a changed name, a removal, a new hotline."""
    items = sandbox.dataset.all()
    sandbox.dataset.patch(items[0]["id"], name="Tổng đài đã đổi tên")
    sandbox.dataset.remove(items[120]["id"])
    sandbox.dataset.add({**items[5], "id": "9100000000000000001", "hotline": "19009999"})
    return items


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file, made once: copied for each test that needs a database shared by processes."""
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "etelecom_admin.test_settings", "DATABASE_URL": f"sqlite:///{path}"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True, timeout=120
    )
    with closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def process_db(request, tmp_path) -> str:
    """A database URL that other OS processes share with this test: the test database itself on
    PostgreSQL; on SQLite (in memory for tests, so private to this process) a migrated file."""
    from django.db import connection

    if connection.vendor == "sqlite":
        path = tmp_path / "shared.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    s = connection.settings_dict
    auth = s["USER"] + (f":{quote(s['PASSWORD'], safe='')}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def tenant_upstream(sandbox) -> TenantUpstream:
    """The tenant list beside the sandbox's hotlines (see tenant_upstream.py)."""
    return TenantUpstream(items=tenants_for(sandbox.dataset.all()))


@pytest.fixture
def sync_with_tenants(connection, tenant_upstream):
    """Sync `connection` reading hotlines from the sandbox and tenants from `tenant_upstream`."""

    def run_sync(target=None, **kwargs) -> SyncRun:
        target = target or connection
        client = TenantClient(connection_client(target), tenant_upstream)
        try:
            return hotlines_sync(connection=target, client=client, **kwargs)
        finally:
            client.close()

    return run_sync
