"""`read_ahead`: one item ahead in a daemon thread; a slow item never holds the consumer hostage."""

from __future__ import annotations

import threading
import time
from contextlib import closing

import pytest

from hotlines.iterators import read_ahead


def test_yields_every_item_in_order_and_raises_where_the_producer_failed():
    def items():
        yield from range(5)
        raise ValueError("page 6 was malformed")

    seen = []
    with pytest.raises(ValueError, match="page 6 was malformed"):
        for item in read_ahead(items()):
            seen.append(item)
    assert seen == [0, 1, 2, 3, 4]


class Stuck:
    """Items whose second one takes until `release` is set (a read that does not end)."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.closed = threading.Event()
        self.thread: threading.Thread | None = None

    def __iter__(self):
        try:
            yield 1
            self.thread = threading.current_thread()
            self.release.wait(30)
            yield 2
        finally:
            self.closed.set()


def test_closing_does_not_wait_for_a_stuck_producer():
    stuck = Stuck()
    iterator = read_ahead(iter(stuck), grace=0.2)
    assert next(iterator) == 1
    started = time.monotonic()
    iterator.close()
    assert time.monotonic() - started < 1.5
    assert stuck.thread is not None and stuck.thread.daemon  # never holds up the interpreter's exit
    assert not stuck.closed.is_set()  # still in the producer's hands, never touched by two threads
    stuck.release.set()
    assert stuck.closed.wait(5)  # the producer closes them itself once its item is done
    stuck.thread.join(5)
    assert not stuck.thread.is_alive()


def test_on_wait_is_called_while_waiting_and_can_stop_the_wait():
    stuck = Stuck()
    calls = []

    def on_wait() -> None:
        calls.append(time.monotonic())
        if len(calls) == 3:
            raise KeyboardInterrupt

    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt), closing(read_ahead(iter(stuck), on_wait=on_wait, poll=0.05)) as items:
        for _item in items:
            pass
    assert len(calls) == 3 and time.monotonic() - started < 1.5
    stuck.release.set()
    assert stuck.closed.wait(5)
