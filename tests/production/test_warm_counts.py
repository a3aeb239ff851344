"""Counts computed ahead of people (after a sync, when a web process starts) and at most once at
a time per figure across processes."""

import threading
import time

import pytest
from django.core.cache import cache
from django.db import connections

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
    assert cache.get(f"hotline-values:connection_method:{version}") is not None


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


def test_values_of_status_and_network_come_from_the_totals(connection, sandbox, django_assert_num_queries):
    hotlines_sync(connection=connection)
    version = selectors.hotline_caches_warm()
    with django_assert_num_queries(0):
        statuses = selectors.hotline_values("status", version=version)
        networks = selectors.hotline_values("network", version=version)
    assert set(statuses) == {item["status"] for item in sandbox.dataset.all()}
    assert set(networks) == {item["network"] for item in sandbox.dataset.all() if item["network"]}


def test_one_computation_at_a_time_the_others_wait_for_its_result():
    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.3)
        return {"n": 42}

    results = []
    threads = [threading.Thread(target=lambda: results.append(selectors.cached_once("k1", slow))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    connections.close_all()
    assert results == [{"n": 42}] * 4
    assert len(calls) == 1


def test_when_the_computing_process_fails_the_waiting_ones_compute():
    started = threading.Event()

    def failing():
        started.set()
        time.sleep(0.1)
        raise RuntimeError("database went away")

    def first():
        with pytest.raises(RuntimeError):
            selectors.cached_once("k2", failing)

    thread = threading.Thread(target=first)
    thread.start()
    started.wait(2)
    assert selectors.cached_once("k2", lambda: 7) == 7  # waited, saw the lock go, counted itself
    thread.join()
    assert cache.get("k2") == 7 and cache.get("k2:counting") is None
