"""The cache helper the counts share: one process computes a cold figure, the others wait for it."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.core.cache import cache

COUNTS_TTL = 24 * 3600  # counts are keyed by the data version; the TTL only bounds memory
COUNT_WAIT_SECONDS = 10  # how long a process waits for another one's count before counting itself


def cached_once[T](key: str, compute: Callable[[], T], *, ttl: int = COUNTS_TTL) -> T:
    """The cached value, or compute it, with one process computing at a time per key.

    Counting a search at 1,000,000 rows takes up to a second; when several people (or one person
    and the list's facets) ask for the same cold figure together, every web process used to count
    it at once, on the same two cores. The first one now takes a short lock in the cache and the
    others wait for its result (or, if it takes too long, count for themselves)."""
    value = cache.get(key)
    if value is not None:
        return value
    lock = f"{key}:counting"
    owner = cache.add(lock, 1, COUNT_WAIT_SECONDS)
    if not owner:
        deadline = time.monotonic() + COUNT_WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(0.02)
            value = cache.get(key)
            if value is not None:
                return value
            if cache.get(lock) is None:  # the other process gave up (an error): count here
                break
    try:
        value = compute()
        cache.set(key, value, ttl)
    finally:
        if owner:
            cache.delete(lock)
    return value
