"""The sandbox's hotlines (generated on demand, changed by tests) and the cursors that page through them."""

from __future__ import annotations

import base64
import threading
from typing import Any

from .. import demo_data


class Dataset:
    """The sandbox's hotlines: generated ones plus the changes tests make to them."""

    def __init__(self, size: int = 1000, seed: int = 1) -> None:
        self.size = size
        self.seed = seed
        self._lock = threading.Lock()
        self._patches: dict[str, dict[str, Any]] = {}  # by id
        self._removed: set[str] = set()
        self._added: list[dict[str, Any]] = []  # newest first, before the generated ones

    def reset(self, *, size: int | None = None, seed: int | None = None) -> None:
        """Back to the generated hotlines alone, optionally of another size or seed."""
        with self._lock:
            self.size = self.size if size is None else size
            self.seed = self.seed if seed is None else seed
            self._patches.clear()
            self._removed.clear()
            self._added.clear()

    def generated(self, index: int) -> dict[str, Any]:
        """The generated hotline at `index`, before the tests' changes."""
        return demo_data.hotline(self.seed, index, size=self.size)

    def _at(self, position: int) -> dict[str, Any] | None:
        """The hotline at a position of the full (newest first) sequence, or None if removed."""
        if position < len(self._added):
            item = dict(self._added[position])
        else:
            item = self.generated(position - len(self._added))
        if item["id"] in self._removed:
            return None
        if item["id"] in self._patches:
            item.update(self._patches[item["id"]])
        return item

    @property
    def length(self) -> int:
        """How many positions the sequence has, removed hotlines included."""
        return len(self._added) + self.size

    def page(self, position: int, limit: int) -> tuple[list[dict[str, Any]], int]:
        """Up to `limit` hotlines from `position`, and the position after them."""
        items: list[dict[str, Any]] = []
        with self._lock:
            while position < self.length and len(items) < limit:
                item = self._at(position)
                position += 1
                if item is not None:
                    items.append(item)
        return items, position

    def all(self) -> list[dict[str, Any]]:
        """Every visible hotline, newest first (for tests on small data sets)."""
        items, _ = self.page(0, self.length)
        return items

    def patch(self, hotline_id: str, **fields: Any) -> None:
        """Change some of a hotline's fields from now on."""
        with self._lock:
            self._patches.setdefault(hotline_id, {}).update(fields)

    def remove(self, hotline_id: str) -> None:
        """Hide a hotline, as if deleted upstream."""
        with self._lock:
            self._removed.add(hotline_id)

    def restore(self, hotline_id: str) -> None:
        """Show a removed hotline again."""
        with self._lock:
            self._removed.discard(hotline_id)

    def add(self, item: dict[str, Any]) -> None:
        """Add a hotline, newest of all."""
        with self._lock:
            self._added.insert(0, item)


def encode_cursor(page: int, position: int) -> str:
    """The opaque `next` cursor for a page number and a position in the dataset."""
    return base64.urlsafe_b64encode(f"{page}:{position}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, int]:
    """The page number and position an `encode_cursor` cursor stands for."""
    padded = cursor + "=" * (-len(cursor) % 4)
    page, position = base64.urlsafe_b64decode(padded.encode()).decode().split(":")
    return int(page), int(position)
