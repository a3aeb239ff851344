"""`cached_once`: one process computes a cold figure at a time, the others wait for its result."""

import threading
import time

import pytest
from django.core.cache import cache, caches
from django.db import connections

from hotlines import selectors


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


class CountingCache:
    """The shared cache's reads, counted (the process keeps what it read: selectors/caching.py)."""

    def __init__(self, monkeypatch):
        self.reads = 0
        backend = type(caches["default"])
        get, get_many = backend.get, backend.get_many

        def counted_get(this, *args, **kwargs):
            self.reads += 1
            return get(this, *args, **kwargs)

        def counted_get_many(this, *args, **kwargs):
            self.reads += 1
            return get_many(this, *args, **kwargs)

        monkeypatch.setattr(backend, "get", counted_get)
        monkeypatch.setattr(backend, "get_many", counted_get_many)


def test_a_figure_is_read_from_the_shared_cache_once_per_process(db, monkeypatch):
    from hotlines.selectors.caching import cached_if_quick, known_clear

    cache.set("v1:figure", {"n": 7})
    reads = CountingCache(monkeypatch)
    assert [selectors.cached_once("v1:figure", lambda: pytest.fail("counted")) for _ in range(3)] == [{"n": 7}] * 3
    assert cached_if_quick("v1:figure", lambda: pytest.fail("counted"), budget_ms=50) == {"n": 7}
    assert reads.reads == 1
    # One counted here is kept too, and still written to the shared cache for the other processes.
    assert cached_if_quick("v1:other", lambda: 5, budget_ms=50) == 5
    assert selectors.cached_once("v1:other", lambda: pytest.fail("counted")) == 5
    known_clear()
    assert cache.get("v1:other") == 5


def test_a_count_that_ran_out_of_time_is_not_kept(db):
    from hotlines.selectors.caching import cached_if_quick

    cache.set("v2:figure:slow", 1)  # a try ran out of time under this key
    assert cached_if_quick("v2:figure", lambda: pytest.fail("counted again"), budget_ms=50) is None
    assert cached_if_quick("v2:figure", lambda: pytest.fail("counted again"), budget_ms=0) is None
    cache.set("v2:figure", 12)  # the counts' own request counted it
    assert cached_if_quick("v2:figure", lambda: pytest.fail("counted again"), budget_ms=50) == 12


def test_what_a_process_keeps_is_bounded(monkeypatch):
    from hotlines.selectors import caching

    monkeypatch.setattr(caching, "_known", caching.ProcessMemo(3))
    for n in range(10):
        assert selectors.cached_once(f"v3:{n}", lambda n=n: n + 1) == n + 1
    assert len(caching._known) <= 3
