"""The points a sync passes while it publishes its snapshot, for tests to hook into.

Both paths (`staging.py`, `direct.py`) announce them inside the publishing transaction; tests set
`on_step` to slow the publish down and read the list meanwhile. None in normal operation.
"""

from __future__ import annotations

from collections.abc import Callable

on_step: Callable[[str], None] | None = None


def step(name: str) -> None:
    """Tell the test hook (if any) that the publish reached this point."""
    if on_step is not None:
        on_step(name)
