"""Iterator helpers shared by the eTelecom client and the sync."""

from __future__ import annotations

import itertools
import queue
import threading
from collections.abc import Callable, Iterator

POLL = 0.2  # seconds between calls of `on_wait` while the consumer waits for an item
GRACE = 1.0  # seconds a closed read-ahead waits for the item in progress before leaving it behind

_numbers = itertools.count(1)  # thread names: read-ahead-1, read-ahead-2, ...


def read_ahead[T](
    items: Iterator[T],
    *,
    name: str = "read-ahead",
    on_wait: Callable[[], None] | None = None,
    poll: float = POLL,
    grace: float = GRACE,
    depth: int = 1,
) -> Iterator[T]:
    """Yield each item while a worker thread already produces the next ones, up to `depth` ahead.

    Worth it when producing an item mostly waits (on the network, or on a database that runs
    outside the GIL): the waits of the producer and of the consumer overlap. Exceptions reach
    the consumer at the item where they happened. While the consumer waits for an item,
    `on_wait` is called every `poll` seconds: whatever it raises ends the iteration there (a
    stop request, a cancelled run), so a slow item never holds the consumer hostage.

    With `depth` above 1 the producer does not wait for the consumer to take an item before it
    starts the next, as long as fewer than `depth` are ready: over a network, the next request
    goes out as soon as this answer is read, even while the consumer is still busy with an
    earlier one (one request in flight at all times), at the cost of `depth` items in memory.

    Closing this iterator waits up to `grace` seconds for the item in progress (not at all after
    `on_wait` raised). A producer still busy then (stuck in a slow read) is left behind in its
    daemon thread, which never holds up the consumer nor the interpreter's exit: it finishes
    that item, closes `items` itself, and ends. The consumer never touches `items` again, so
    they are never touched by two threads at once.
    """
    done = object()
    # One True per item the producer may make (`depth` at first, one more per item taken); False: stop.
    wanted: queue.SimpleQueue[bool] = queue.SimpleQueue()
    made: queue.SimpleQueue[tuple[bool, object]] = queue.SimpleQueue()  # (ok, item or exception)
    finished = threading.Event()
    closed = threading.Event()  # the consumer is gone: the credits still queued are void

    def produce() -> None:
        try:
            while wanted.get() and not closed.is_set():
                try:
                    item = next(items, done)
                except BaseException as exc:  # handed to the consumer, raised there
                    made.put((False, exc))
                    return
                made.put((True, item))
                if item is done:
                    return
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()
            finished.set()

    producer = threading.Thread(target=produce, name=f"{name}-{next(_numbers)}", daemon=True)
    for _credit in range(max(depth, 1)):
        wanted.put(True)
    producer.start()
    stopped = False  # by `on_wait`: the consumer is asked to stop now, so no grace
    try:
        while True:
            try:
                ok, item = _wait(made, on_wait=on_wait, poll=poll)
            except BaseException:
                stopped = True
                raise
            if not ok:
                raise item  # type: ignore[misc]
            if item is done:
                return
            wanted.put(True)
            yield item  # type: ignore[misc]
    finally:
        closed.set()
        wanted.put(False)
        if not stopped:
            finished.wait(grace)


def _wait(made: queue.SimpleQueue, *, on_wait: Callable[[], None] | None, poll: float) -> tuple[bool, object]:
    while True:
        try:
            return made.get(timeout=poll)
        except queue.Empty:
            if on_wait is not None:
                on_wait()
