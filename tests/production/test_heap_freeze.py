"""A web process, once warm, freezes its heap out of the garbage collector's way."""

import gc
import runpy
import weakref
from pathlib import Path

import pytest

from etelecom_admin import warmup


@pytest.fixture
def _unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()  # the rest of the test session collects as before


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the collector frees it


@pytest.mark.usefixtures("_unfrozen")
def test_the_heap_is_frozen_after_a_last_collection():
    garbage = _Node()
    gone = weakref.ref(garbage)
    del garbage
    kept = _Node()
    warmup.heap_freeze()
    # Garbage is collected first (frozen, it would never be), what lives is frozen.
    assert gone() is None
    assert gc.get_freeze_count() > 0
    assert not any(obj is kept for obj in gc.get_objects())  # out of the collector's generations
    gc.unfreeze()
    assert any(obj is kept for obj in gc.get_objects())


def test_gunicorn_workers_warm_up_then_freeze(monkeypatch):
    calls = []
    monkeypatch.setattr(warmup, "warm_up", lambda: calls.append("warm_up"))
    monkeypatch.setattr(warmup, "heap_freeze", lambda: calls.append("heap_freeze"))
    conf = runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py"))
    conf["post_worker_init"](worker=None)
    assert calls == ["warm_up", "heap_freeze"]
