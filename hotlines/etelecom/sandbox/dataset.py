"""The sandbox's hotlines and tenants (generated on demand, changed by tests) and the cursors
that page through them."""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable
from typing import Any

from .. import demo_data

Match = Callable[[dict[str, Any]], bool]


class Items:
    """One list of the sandbox: generated items plus the changes tests make to them."""

    def __init__(self, generate: Callable[[int], dict[str, Any]], lock: threading.Lock) -> None:
        self.size = 0  # generated items; set by the dataset
        self._generate = generate
        self._lock = lock
        self._patches: dict[str, dict[str, Any]] = {}  # by id
        self._removed: set[str] = set()
        self._added: list[dict[str, Any]] = []  # newest first, before the generated ones

    def clear(self) -> None:
        """Forget the tests' changes (the dataset holds the lock)."""
        self._patches.clear()
        self._removed.clear()
        self._added.clear()

    def generated(self, index: int) -> dict[str, Any]:
        """The generated item at `index`, before the tests' changes."""
        return self._generate(index)

    def _at(self, position: int) -> dict[str, Any] | None:
        """The item at a position of the full (newest first) sequence, or None if removed."""
        if position < len(self._added):
            item = dict(self._added[position])
        else:
            item = self.generated(position - len(self._added))
        if item.get("id") in self._removed:
            return None
        if item.get("id") in self._patches:
            item.update(self._patches[item["id"]])
        return item

    @property
    def length(self) -> int:
        """How many positions the sequence has, removed items included."""
        return len(self._added) + self.size

    def page(self, position: int, limit: int, match: Match | None = None) -> tuple[list[dict[str, Any]], int]:
        """Up to `limit` items (those `match` accepts) from `position`, and the position after them."""
        items: list[dict[str, Any]] = []
        with self._lock:
            while position < self.length and len(items) < limit:
                item = self._at(position)
                position += 1
                if item is not None and (match is None or match(item)):
                    items.append(item)
        return items, position

    def all(self) -> list[dict[str, Any]]:
        """Every visible item, newest first (for tests on small data sets)."""
        items, _ = self.page(0, self.length)
        return items

    def patch(self, item_id: str, **fields: Any) -> None:
        """Change some of an item's fields from now on."""
        with self._lock:
            self._patches.setdefault(item_id, {}).update(fields)

    def remove(self, item_id: str) -> None:
        """Hide an item, as if deleted upstream."""
        with self._lock:
            self._removed.add(item_id)

    def restore(self, item_id: str) -> None:
        """Show a removed item again."""
        with self._lock:
            self._removed.discard(item_id)

    def add(self, item: dict[str, Any]) -> None:
        """Add an item, newest of all."""
        with self._lock:
            self._added.insert(0, item)


class Dataset:
    """The sandbox's data: `tenants` and the hotlines, whose methods (`page`, `patch`, ...) are
    the dataset's own, as the hotlines were its only list before.

    `tenant_count` is the tenants asked for (`tenants`), or by default one per 20 hotlines.
    """

    def __init__(self, size: int = 1000, seed: int = 1, tenants: int | None = None) -> None:
        self.seed = seed
        self._lock = threading.Lock()
        self._tenants_asked = tenants  # what a reset without `tenants` returns to
        self.hotlines = Items(self._hotline, self._lock)
        self.tenants = Items(self._tenant, self._lock)
        self._resize(size, tenants)

    def _hotline(self, index: int) -> dict[str, Any]:
        return demo_data.hotline(self.seed, index, size=self.hotlines.size, tenants=self.tenants.size)

    def _tenant(self, index: int) -> dict[str, Any]:
        return demo_data.tenant(self.seed, index, size=self.tenants.size)

    def _resize(self, size: int, tenants: int | None) -> None:
        self.hotlines.size = size
        self.tenants.size = demo_data.default_tenants(size) if tenants is None else tenants

    @property
    def size(self) -> int:
        """How many hotlines are generated."""
        return self.hotlines.size

    @property
    def tenant_count(self) -> int:
        """How many tenants are generated."""
        return self.tenants.size

    def reset(self, *, size: int | None = None, seed: int | None = None, tenants: int | None = None) -> None:
        """Back to the generated data alone, optionally of another size, seed or tenant count
        (without `tenants`: the count the sandbox was started with, by default one per 20 hotlines)."""
        with self._lock:
            self.seed = self.seed if seed is None else seed
            self._resize(self.size if size is None else size, self._tenants_asked if tenants is None else tenants)
            self.hotlines.clear()
            self.tenants.clear()

    # The hotlines' methods, under the names tests have always used.

    def generated(self, index: int) -> dict[str, Any]:
        """The generated hotline at `index`, before the tests' changes."""
        return self.hotlines.generated(index)

    @property
    def length(self) -> int:
        """How many hotline positions there are, removed hotlines included."""
        return self.hotlines.length

    def page(self, position: int, limit: int) -> tuple[list[dict[str, Any]], int]:
        """Up to `limit` hotlines from `position`, and the position after them."""
        return self.hotlines.page(position, limit)

    def all(self) -> list[dict[str, Any]]:
        """Every visible hotline, newest first (for tests on small data sets)."""
        return self.hotlines.all()

    def patch(self, hotline_id: str, **fields: Any) -> None:
        """Change some of a hotline's fields from now on."""
        self.hotlines.patch(hotline_id, **fields)

    def remove(self, hotline_id: str) -> None:
        """Hide a hotline, as if deleted upstream."""
        self.hotlines.remove(hotline_id)

    def restore(self, hotline_id: str) -> None:
        """Show a removed hotline again."""
        self.hotlines.restore(hotline_id)

    def add(self, item: dict[str, Any]) -> None:
        """Add a hotline, newest of all."""
        self.hotlines.add(item)


def encode_cursor(page: int, position: int) -> str:
    """The opaque `next` cursor for a page number and a position in the dataset."""
    return base64.urlsafe_b64encode(f"{page}:{position}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, int]:
    """The page number and position an `encode_cursor` cursor stands for."""
    padded = cursor + "=" * (-len(cursor) % 4)
    page, position = base64.urlsafe_b64decode(padded.encode()).decode().split(":")
    return int(page), int(position)
