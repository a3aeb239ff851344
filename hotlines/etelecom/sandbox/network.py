"""The sandbox's network switches: what the internet between the dashboard and eTelecom adds to
each answer (a latency, a bandwidth) and the largest page eTelecom serves (`max_limit`).

Latency is per answer: an answer starts no sooner than `latency_ms` after its request arrived.
The time the sandbox takes to build the page is part of it (as eTelecom's own time is part of
what a client over the internet waits for), so a sync's floor is exactly pages x latency: what
a client waits for if every page cost only its latency. With `bandwidth_kbps`, the body then
trickles at that rate (kilobits per second). Both apply to every Partner API answer, errors
included, never to `/_sandbox/control`.

The Partner API documents no maximum page size ("about 100 items a page by default; `limit`
changes the page size"): the sandbox serves at most `max_limit` items a page (1,000 unless told)
and cuts a larger `limit` to it, with a `next` cursor, as a server with a cap does.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any, BinaryIO

DEFAULT_MAX_LIMIT = 1000
LIMITS: dict[str, tuple[int, int]] = {  # what each switch may be set to (inclusive)
    "latency_ms": (0, 60_000),
    "bandwidth_kbps": (0, 10_000_000),  # 0: no limit
    "max_limit": (1, 1_000_000),
}
PACE = 0.01  # seconds of body written at a time under a bandwidth limit


@dataclass
class Network:
    """The switches, read on every answer and changed at run time (in-process or by `configure`)."""

    latency_ms: int = 0
    bandwidth_kbps: int = 0
    max_limit: int = DEFAULT_MAX_LIMIT

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self.configure(latency_ms=self.latency_ms, bandwidth_kbps=self.bandwidth_kbps, max_limit=self.max_limit)

    def configure(self, **switches: Any) -> None:
        """Set some switches (`latency_ms`, `bandwidth_kbps`, `max_limit`): whole numbers in range,
        or ValueError (TypeError for what is not a number) and nothing changed."""
        checked = {}
        for name, value in switches.items():
            if name not in LIMITS:
                raise ValueError(f"unknown network switch {name!r}; known: {', '.join(LIMITS)}")
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{name} must be a whole number")
            low, high = LIMITS[name]
            if not low <= value <= high:
                raise ValueError(f"{name} must be between {low:,} and {high:,}")
            checked[name] = value
        with self._lock:
            for name, value in checked.items():
                object.__setattr__(self, name, value)

    def reset(self, *, latency_ms: int = 0, bandwidth_kbps: int = 0, max_limit: int = DEFAULT_MAX_LIMIT) -> None:
        """Back to a plain loopback (or the given switches)."""
        self.configure(latency_ms=latency_ms, bandwidth_kbps=bandwidth_kbps, max_limit=max_limit)

    def wait_latency(self, arrived: float) -> None:
        """Sleep until `latency_ms` after `arrived` (a time.monotonic()), if not yet there."""
        remaining = arrived + self.latency_ms / 1000 - time.monotonic()
        if remaining > 0:
            time.sleep(remaining)

    def write(self, out: BinaryIO, body: bytes) -> None:
        """Write `body`, at `bandwidth_kbps` if set: in slices of PACE seconds' worth, each sent
        when the rate allows (paced against the start, so sleeps do not add up to a slower rate)."""
        rate = self.bandwidth_kbps * 1000 / 8  # bytes a second
        if not rate:
            out.write(body)
            return
        step = max(int(rate * PACE), 1)
        started = time.monotonic()
        for offset in range(0, len(body), step):
            due = started + offset / rate
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            out.write(body[offset : offset + step])
            out.flush()
        wait = started + len(body) / rate - time.monotonic()
        if wait > 0:
            time.sleep(wait)  # the last slice takes its time too
