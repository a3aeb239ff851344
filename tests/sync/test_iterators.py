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
        self.stuck = threading.Event()  # the producer is in the slow item

    def __iter__(self):
        try:
            yield 1
            self.thread = threading.current_thread()
            self.stuck.set()
            self.release.wait(30)
            yield 2
        finally:
            self.closed.set()


def test_closing_does_not_wait_for_a_stuck_producer():
    stuck = Stuck()
    iterator = read_ahead(iter(stuck), grace=0.2)
    assert next(iterator) == 1
    # Closed while the producer is in the slow item (closed before it started one, it starts none).
    assert stuck.stuck.wait(5)
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


class Counted:
    """Items that count how many were made (the producer's progress, seen from outside)."""

    def __init__(self, count: int) -> None:
        self.count, self.made, self.closed = count, 0, threading.Event()

    def __iter__(self):
        try:
            for item in range(self.count):
                self.made += 1
                yield item
        finally:
            self.closed.set()


def settled(counted: Counted, expected: int) -> int:
    """How many were made once the producer stops (waits for `expected`, then a little longer)."""
    deadline = time.monotonic() + 5
    while counted.made < expected and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)
    return counted.made


@pytest.mark.parametrize("depth", [1, 3])
def test_the_producer_runs_up_to_depth_items_ahead_of_a_busy_consumer(depth):
    counted = Counted(10)
    with closing(read_ahead(iter(counted), depth=depth)) as items:
        assert next(items) == 0
        # The consumer holds item 0 and takes no other: the producer made `depth` more, then waits.
        assert settled(counted, 1 + depth) == 1 + depth
        assert next(items) == 1
        assert settled(counted, 2 + depth) == 2 + depth
        assert list(items) == list(range(2, 10))


def test_closing_with_items_still_allowed_ahead_stops_the_producer():
    counted = Counted(1_000)
    items = read_ahead(iter(counted), depth=4)
    assert next(items) == 0
    settled(counted, 5)
    items.close()
    assert counted.closed.wait(2)
    assert counted.made == 5  # the credits left queued were not spent
