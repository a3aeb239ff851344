"""The cache helpers the counts share: one process computes a cold figure while the others wait for
it (`cached_once`), or a page computes it only when it is quick (`cached_if_quick`).

What they cache never changes under its key: each key names the data version it was counted
under, and a newer sync's figures go under a new version. So a web process also keeps what it
read or counted (`_known`): a read from the shared cache (CACHE_URL, a file cache in the
benchmark) cost about 0.13 ms, and a list page made five of them (a search more). A try that ran
out of time (the `:slow` mark) is never kept: its figure comes later.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.core.cache import cache

from ..process_memo import ProcessMemo
from .query_budget import QueryTooSlow, query_time_limit

COUNTS_TTL = 24 * 3600  # counts are keyed by the data version; the TTL only bounds memory
COUNT_WAIT_SECONDS = 10  # how long a process waits for another one's count before counting itself
# Figures kept in this process: a few per filter combination and data version (small dicts and
# ints); all dropped at once when full, so memory stays bounded.
KNOWN_MAX = 4096

_known: ProcessMemo[str, object] = ProcessMemo(KNOWN_MAX)


def known_clear() -> None:
    """Forget what this process kept (tests: a rolled-back test's data version comes back)."""
    _known.clear()


def cached_once[T](key: str, compute: Callable[[], T], *, ttl: int = COUNTS_TTL) -> T:
    """The cached value, or compute it, with one process computing at a time per key.

    Counting a search at 1,000,000 rows takes up to a second; when several people (or one person
    and the list's facets) ask for the same cold figure together, every web process used to count
    it at once, on the same two cores. The first one now takes a short lock in the cache and the
    others wait for its result (or, if it takes too long, count for themselves)."""
    value = _known.get(key)
    if value is not None:
        return value
    value = cache.get(key)
    if value is not None:
        return _known.put(key, value)
    lock = f"{key}:counting"
    owner = cache.add(lock, 1, COUNT_WAIT_SECONDS)
    if not owner:
        deadline = time.monotonic() + COUNT_WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(0.02)
            value = cache.get(key)
            if value is not None:
                return _known.put(key, value)
            if cache.get(lock) is None:  # the other process gave up (an error): count here
                break
    try:
        value = compute()
        cache.set(key, value, ttl)
    finally:
        if owner:
            cache.delete(lock)
    return _known.put(key, value) if value is not None else value


def cached_if_quick[T](key: str, compute: Callable[[], T], *, budget_ms: float, ttl: int = COUNTS_TTL) -> T | None:
    """The cached value, or compute it if that takes under `budget_ms` (then cache it); None when it
    cannot be had in time: too slow (stopped at the budget, or stopped before under the same key),
    or another process is computing it already (the deferred request then waits for that one
    through `cached_once`)."""
    value = _known.get(key)
    if value is not None:
        return value
    if budget_ms <= 0:
        value = cache.get(key)
        return _known.put(key, value) if value is not None else None
    # One round trip for the value and the mark a try that ran out of time leaves: until the
    # figure is there (the counts' own request brings it), a page for the same data version and
    # filters spends no budget on a count it already knows it cannot finish (under load, searches
    # whose counts nobody had fetched yet spent 30 ms of CPU each, every time).
    slow = f"{key}:slow"
    found = cache.get_many([key, slow])
    if key in found:
        return _known.put(key, found[key])
    if slow in found:
        return None
    lock = f"{key}:counting"
    if not cache.add(lock, 1, COUNT_WAIT_SECONDS):
        return None
    try:
        with query_time_limit(budget_ms):
            value = compute()
        cache.set(key, value, ttl)  # before the lock goes: nobody counts it a second time
        _known.put(key, value)
    except QueryTooSlow:
        cache.set(slow, 1, ttl)
        return None
    finally:
        cache.delete(lock)
    return value
