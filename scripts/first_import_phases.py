"""Where a first import's time goes on PostgreSQL: its phases, and the CPU of each process in them.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/EMPTY_DB .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/EMPTY_DB .venv/bin/python scripts/first_import_phases.py 1000000

Starts the sandbox with that many hotlines (its own process, as the bench does), runs one sync into
the empty database, and meanwhile reads from a second connection, five times a second, what the
sync's backend is running (`pg_stat_activity`) and the CPU seconds used so far by this process
(the sync), the sandbox and PostgreSQL's processes (`/proc`). It prints, per phase, the wall time
and each side's CPU: the fetch (the pages going in with COPY, from the first COPY to the last),
each index built at the end (`deferred_indexes.py`), and what follows (the tenants, `VACUUM`).

Why: issue 18 asks for the first import at 0.65x its fetch-only floor, and the profiles should say
where the time goes. On two cores, a phase whose CPU sums to about twice its wall time is bound by
the machine; one that uses one core (an index build) leaves the other idle.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "etelecom_admin.test_settings")

SAMPLE_EVERY = 0.2  # seconds
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
ACTIVE_QUERIES = """
    SELECT regexp_replace(query, '\\s+', ' ', 'g') FROM pg_stat_activity
    WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'
"""


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU seconds of these processes so far (those gone count nothing)."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / CLOCK_TICKS


def postgres_pids() -> list[int]:
    found = subprocess.run(["pgrep", "-u", "postgres"], capture_output=True, text=True, check=False).stdout
    return [int(pid) for pid in found.split()]


@dataclass(frozen=True)
class Sample:
    at: float
    queries: list[str]
    sync_cpu: float
    sandbox_cpu: float
    postgres_cpu: float


FETCH = "fetch (COPY)"


def phase_of(queries: list[str]) -> str:
    """The phase a sample shows: an index being built, pages being copied in, or another statement."""
    for query in queries:
        if match := re.match(r'CREATE INDEX "([^"]+)"', query):
            return f"index {match[1]}"
    if any(query.startswith("COPY") for query in queries):
        return FETCH
    return queries[0][:48] if queries else "(between statements)"


def phases(samples: list[Sample]) -> list[tuple[str, Sample, Sample]]:
    """(phase, first sample, the next phase's first sample) in order. The fetch spans its first
    COPY to its last: the savepoints and the tenants' statements between its pages belong to it."""
    names = [phase_of(sample.queries) for sample in samples]
    copies = [i for i, name in enumerate(names) if name == FETCH]
    if copies:
        names[copies[0] : copies[-1] + 1] = [FETCH] * (copies[-1] + 1 - copies[0])
    starts = [i for i, name in enumerate(names) if i == 0 or name != names[i - 1]]
    ends = [*starts[1:], len(samples) - 1]
    return [(names[start], samples[start], samples[end]) for start, end in zip(starts, ends, strict=True)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("hotlines", type=int, help="how many hotlines the sandbox serves")
    args = parser.parse_args()

    import django

    django.setup()
    import psycopg
    from django.db import connection

    from benchmarks.common import start_sandbox, stop_processes
    from hotlines.etelecom.sandbox import DEFAULT_API_KEY
    from hotlines.models import Hotline
    from hotlines.services.connections.writes import connection_upsert
    from hotlines.services.sync import hotlines_sync

    if connection.vendor != "postgresql" or Hotline.objects.exists():
        raise SystemExit("needs DATABASE_URL pointing at a migrated PostgreSQL database without hotlines")
    sandbox, url = start_sandbox(args.hotlines, seed=1)
    etelecom = connection_upsert(name="default", base_url=url, api_key=DEFAULT_API_KEY, page_size=1000)
    samples: list[Sample] = []
    done = threading.Event()

    def sample() -> None:
        with psycopg.connect(**connection.get_connection_params(), autocommit=True) as watcher:
            while not done.is_set():
                queries = [query for (query,) in watcher.execute(ACTIVE_QUERIES).fetchall() if query]
                samples.append(Sample(
                    time.monotonic(), queries, cpu_seconds([os.getpid()]), cpu_seconds([sandbox.pid]),
                    cpu_seconds(postgres_pids()),
                ))  # fmt: skip
                time.sleep(SAMPLE_EVERY)

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    started = time.monotonic()
    try:
        run = hotlines_sync(connection=etelecom)
    finally:
        done.set()
        watcher.join()
        stop_processes([sandbox])
    seconds = time.monotonic() - started
    if len(samples) < 2:
        raise SystemExit("the watching connection read nothing (see its error above)")
    print(f"first import of {args.hotlines:,} hotlines: {seconds:.1f} s, error: {run.error or 'none'}")
    print(f"{'phase':<48} {'from':>6} {'wall':>6} {'sync':>6} {'sandbox':>8} {'postgres':>9}  (seconds)")
    for name, first, last in phases(samples):
        print(
            f"{name:<48} {first.at - started:6.1f} {last.at - first.at:6.1f} {last.sync_cpu - first.sync_cpu:6.1f} "
            f"{last.sandbox_cpu - first.sandbox_cpu:8.1f} {last.postgres_cpu - first.postgres_cpu:9.1f}"
        )
    first, last = samples[0], samples[-1]
    print(
        f"{'all':<48} {'':6} {last.at - first.at:6.1f} {last.sync_cpu - first.sync_cpu:6.1f} "
        f"{last.sandbox_cpu - first.sandbox_cpu:8.1f} {last.postgres_cpu - first.postgres_cpu:9.1f}"
    )


if __name__ == "__main__":
    main()
