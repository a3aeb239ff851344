"""What a web process keeps for itself between requests: values by key, at most `size` of them,
all dropped at once when full (a key that stops being asked for leaves with the rest, and the
memory never grows past the bound). For values that follow wholly from their key: rendered HTML
keyed by what it shows (navigation.py, kept.py), a form class per data version and language
(filtersets/hotlines.py), tenants per set of IDs beside the version they were read under
(selectors/tenant_lookup.py), a number's display groups per shape (normalize.py), a list's sort
orders' labels per language and column set (tables/base.py). Nothing here
is shared between processes; a cache that is lives in Django's cache (`CACHE_URL`)."""

from __future__ import annotations

from collections.abc import Callable, Hashable


class ProcessMemo[K: Hashable, V]:
    """At most `size` values by key, in this process."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: dict[K, V] = {}

    def get(self, key: K) -> V | None:
        return self._values.get(key)

    def put(self, key: K, value: V) -> V:
        """Keep `value` under `key` (forgetting everything first when full); returns it."""
        if len(self._values) >= self.size and key not in self._values:
            self._values.clear()
        self._values[key] = value
        return value

    def get_or_make(self, key: K, make: Callable[[], V]) -> V:
        """The value kept under `key`, or `make()`'s, kept from now on."""
        value = self._values.get(key)
        return value if value is not None else self.put(key, make())

    def clear(self) -> None:
        self._values.clear()

    def __len__(self) -> int:
        return len(self._values)
