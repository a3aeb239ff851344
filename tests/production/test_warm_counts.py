"""Counts computed ahead of people (after a sync, when a web process starts) and at most once at
a time per figure across processes."""

import pytest
from django.core.cache import cache

from etelecom_admin.warmup import warm_up
from hotlines import selectors
from hotlines.services.sync import hotlines_sync

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_sync_that_changes_the_data_counts_the_new_version(connection, sandbox):
    run = hotlines_sync(connection=connection)
    assert run.error == "" and run.created
    version = selectors.data_version()
    totals = cache.get(f"hotline-totals:{version}")
    assert totals is not None and totals.total == len(sandbox.dataset.all())
    # The connection methods the filter offers come with the totals (one scan for both).
    assert totals.methods == {item["connection_method"] for item in sandbox.dataset.all()}


def test_a_sync_that_changes_nothing_leaves_the_cache_alone(connection, sandbox):
    hotlines_sync(connection=connection)
    cache.clear()
    run = hotlines_sync(connection=connection)
    assert run.error == "" and not (run.created or run.updated or run.removed)
    assert cache.get(f"hotline-totals:{selectors.data_version()}") is None


@pytest.mark.django_db(transaction=True)  # warm_up closes the process's connections when done
def test_warm_up_counts_compiles_and_survives_a_missing_database(connection, sandbox, monkeypatch, caplog):
    hotlines_sync(connection=connection)
    version = selectors.data_version()
    cache.clear()
    warm_up()
    assert cache.get(f"hotline-totals:{version}") is not None

    from django.db import DatabaseError

    def broken():
        raise DatabaseError("no such table")

    monkeypatch.setattr(selectors, "hotline_caches_warm", broken)
    with caplog.at_level("WARNING"):
        warm_up()  # the process still starts; the first request will count
    assert "could not count" in caplog.text
