"""Shared plumbing for the benchmark suites: timing, peak memory, the sandbox process, results.

Peak memory is the process's resident high-water mark (VmHWM), reset before each measurement
through /proc/self/clear_refs, so measuring costs nothing (tracemalloc would slow Python down
and skew the ratios).
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Result:
    """One line of the report: a figure beside its peer (same run), and the target if any."""

    suite: str
    case: str
    value: str
    peer: str = ""
    peer_value: str = ""
    ratio: str = ""
    target: str = ""
    ok: bool | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Context:
    """What a suite gets: the database label and size, the sandbox and a connection to it."""

    db: str  # "sqlite" or "postgresql"
    size: int
    sandbox_url: str
    quick: bool = False
    state: dict[str, Any] = field(default_factory=dict)  # suites share what they built (e.g. a synced DB)


def _rss_kb(key: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(key):
                return int(line.split()[1])
    return 0


def reset_peak() -> int:
    """Reset the RSS high-water mark; returns the current RSS in kB."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        pass
    return _rss_kb("VmRSS:")


@dataclass
class Measure:
    seconds: float
    peak_mb: float  # growth of the high-water mark over the RSS at the start
    result: Any = None


def measure(func: Callable[[], Any]) -> Measure:
    """Run func once: wall time and peak memory growth."""
    start_rss = reset_peak()
    started = time.perf_counter()
    result = func()
    seconds = time.perf_counter() - started
    peak = _rss_kb("VmHWM:")
    return Measure(seconds=seconds, peak_mb=max(peak - start_rss, 0) / 1024, result=result)


def median_ms(func: Callable[[], Any], *, repeat: int = 7, warmup: int = 1) -> float:
    """Median wall time in milliseconds over `repeat` runs after `warmup` runs."""
    for _ in range(warmup):
        func()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_sandbox(size: int, *, seed: int = 1, nice: int = 0) -> tuple[subprocess.Popen, str]:
    """The sandbox in its own process (as in production, the API is not in our process)."""
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "etelecom_admin.test_settings"}
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "etelecom_sandbox", "--port", str(port), "--hotlines", str(size),
         "--seed", str(seed)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        preexec_fn=(lambda: os.nice(nice)) if nice else None,
    )  # fmt: skip
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return proc, f"http://127.0.0.1:{port}"
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the sandbox did not start")


def fmt_speedup(ours: float, peer: float) -> str:
    """Ours beside the peer, both in seconds (or ms): "3.2× faster", or "1.7× slower" when the peer wins."""
    if not ours or not peer:
        return ""
    return f"{peer / ours:.1f}× faster" if peer >= ours else f"{ours / peer:.1f}× slower"


def fmt_rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:,.0f} rows/s" if seconds > 0 else "n/a"


def ensure_synced(ctx: Context):
    """The `default` connection pointed at the sandbox, synced once (suites after `sync` reuse it)."""
    from hotlines.etelecom.sandbox import DEFAULT_API_KEY
    from hotlines.models import Hotline
    from hotlines.services.connections.writes import connection_upsert
    from hotlines.services.sync import hotlines_sync

    connection = connection_upsert(name="default", base_url=ctx.sandbox_url, api_key=DEFAULT_API_KEY, page_size=1000)
    if not Hotline.objects.exists():
        run = hotlines_sync(connection=connection)
        if run.error:
            raise RuntimeError(f"the benchmark's sync failed: {run.error}")
    return connection


def wait_http(url: str, timeout: float = 30) -> None:
    """Wait until `url` answers 200 (a server we started is up), or raise."""
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up within {timeout:g} s")


def stop_processes(procs: list[subprocess.Popen], timeout: float = 20) -> None:
    """Ask every process to stop, then kill the ones that do not within `timeout`."""
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
