"""`cached_once`: one process computes a cold figure at a time, the others wait for its result."""

import threading
import time

import pytest
from django.core.cache import cache
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
