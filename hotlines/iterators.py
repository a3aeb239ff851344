"""Iterator helpers shared by the eTelecom client and the sync."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor


def read_ahead[T](items: Iterator[T], *, name: str = "read-ahead") -> Iterator[T]:
    """Yield each item while a worker thread already produces the next one.

    Worth it when producing an item mostly waits (on the network, or on a database that runs
    outside the GIL): the waits of the producer and of the consumer overlap. Exceptions reach
    the consumer at the item where they happened. Closing this iterator waits for the item in
    progress, then stops; the items are never touched by two threads at once.
    """
    done = object()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix=name) as pool:
        future = pool.submit(next, items, done)
        while True:
            item = future.result()
            if item is done:
                return
            future = pool.submit(next, items, done)
            yield item
