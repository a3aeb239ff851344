"""A first import into an empty table sets every index but the primary key and the unique
(connection, eTelecom ID) aside and builds them at its end (PostgreSQL); whatever happens, the
table ends up with exactly the indexes the migrations made."""

from __future__ import annotations

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.db import connection as db

from hotlines.choices import SyncStatus
from hotlines.models import Connection, Hotline
from hotlines.services.sync import deferred_indexes, direct, hotlines_sync
from hotlines.services.sync.sql import HOTLINE
from tests.conftest import postgresql_only

from .helpers import assert_mirrors

pytestmark = pytest.mark.django_db(transaction=True)


def indexes() -> set[tuple[str, str]]:
    """The hotline table's indexes as (name, definition)."""
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [HOTLINE])
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s", [HOTLINE])
        return set(cursor.fetchall())


class Builds(list[int]):
    """The row count at each end-of-import build, and (`missing`) the indexes absent then."""

    def __init__(self) -> None:
        super().__init__()
        self.missing: list[list[str]] = []


@pytest.fixture
def builds(monkeypatch) -> Builds:
    """Counts the end-of-import index builds."""
    calls = Builds()
    build = direct.deferred_indexes_build

    def counted() -> None:
        calls.append(Hotline.objects.count())  # inside the import's transaction: its rows
        calls.missing.append(deferred_indexes.deferred_indexes_missing())
        build()

    monkeypatch.setattr(direct, "deferred_indexes_build", counted)
    return calls


def test_first_import_builds_the_deferred_indexes_at_its_end(connection, sandbox, builds):
    before = indexes()
    run = hotlines_sync(connection=connection)
    assert run.status == SyncStatus.SUCCEEDED, run.error
    assert_mirrors(sandbox)
    assert indexes() == before  # the same names and definitions as the migrations made
    expected = [len(sandbox.dataset.all())] if db.vendor == "postgresql" else []
    assert builds == expected
    if expected:  # all of them were set aside while the rows went in: GIN and B-trees alike
        assert builds.missing == [list(deferred_indexes.deferred_indexes_definitions())]
        assert {"hotline_live_name", "hotline_search_text_trgm"} <= set(builds.missing[0])
    # The indexes serve the search at once.
    assert Hotline.objects.filter(search_text__contains="tong dai").exists()


def test_later_syncs_and_nonempty_tables_keep_the_indexes(connection, sandbox, builds):
    assert hotlines_sync(connection=connection).status == SyncStatus.SUCCEEDED
    builds.clear()
    sandbox.dataset.patch(sandbox.dataset.all()[0]["id"], name="Tổng đài đã đổi tên")
    assert hotlines_sync(connection=connection).status == SyncStatus.SUCCEEDED
    # A second connection's first import, into a table that already holds hotlines.
    other = Connection.objects.create(name="second", base_url=sandbox.url, api_key=connection.api_key, page_size=50)
    assert hotlines_sync(connection=other).status == SyncStatus.SUCCEEDED
    assert builds == []


def test_a_failed_first_import_puts_the_indexes_back(connection, sandbox):
    before = indexes()
    sandbox.faults.add("status", page=3, status=500, code="internal", msg="database unavailable")
    run = hotlines_sync(connection=connection)
    assert run.status == SyncStatus.FAILED
    assert not Hotline.objects.exists()
    assert indexes() == before


@postgresql_only
def test_indexes_a_killed_import_left_missing_come_back_with_the_next_sync(connection, sandbox):
    before = indexes()
    with db.cursor() as cursor:  # what a first import killed mid-way leaves behind
        for name in deferred_indexes.deferred_indexes_definitions():
            cursor.execute(f'DROP INDEX "{name}"')
    assert deferred_indexes.deferred_indexes_missing() == list(deferred_indexes.deferred_indexes_definitions())
    other = Connection.objects.create(name="second", base_url=sandbox.url, api_key=connection.api_key, page_size=50)
    Hotline.objects.create(connection=other, etelecom_id="1", hotline="19001234")  # not empty: no set-aside
    assert hotlines_sync(connection=connection).status == SyncStatus.SUCCEEDED
    assert indexes() == before


@postgresql_only
def test_a_busy_table_is_not_set_aside(connection, sandbox, monkeypatch):
    """If readers hold the table, the import waits at most LOCK_TIMEOUT, then indexes as it goes."""
    monkeypatch.setattr(deferred_indexes, "LOCK_TIMEOUT", "50ms")
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with other.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute(f'SELECT 1 FROM "{HOTLINE}" LIMIT 1')  # noqa: S608 - holds ACCESS SHARE until rollback
            assert deferred_indexes.deferred_indexes_set_aside() is False
            cursor.execute("ROLLBACK")
    finally:
        other.close()
    assert deferred_indexes.deferred_indexes_missing() == []
