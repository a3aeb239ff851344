"""The CPU of the same pages in two checkouts of the dashboard, request for request.

    .venv/bin/python scripts/cpu_pair.py BASE_DIR NEW_DIR --database sqlite:////tmp/a.sqlite3 \\
        [--database-new sqlite:////tmp/b.sqlite3] [--requests 200] URL [URL ...]

Each checkout runs in a process of its own (test settings, a superuser signed in through the test
client, warmed up as a web process is); the two take turns, one request each, the order turning
at every pair (A B, B A, …). Each request's CPU is the thread time it took in its process. It
prints, per URL, both medians and the median of the pairs' ratios (new / base).

Why: on the shared 2-core machines the same page's CPU drifted from 19 to 34 ms within an hour,
so that two load runs of one code differed more than two codes did. Requests taken in turns see
the same drift, and the median of their ratios keeps the difference (base against itself: within
±3 %). The checkouts' databases should hold the same data (a copy of a benchmark's SQLite file,
say `artifacts/bench.sqlite3`, one copy each, or one PostgreSQL database).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

WARM_UP_REQUESTS = 15


def serve() -> None:
    """In a checkout's process: answer each URL read on stdin with 'ms status bytes'."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "etelecom_admin.test_settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from etelecom_admin import warmup

    settings.ALLOWED_HOSTS = ["*"]
    user, _ = get_user_model().objects.get_or_create(
        username="cpu-pair", defaults={"is_superuser": True, "is_staff": True}
    )
    warmup.warm_up()
    if hasattr(warmup, "heap_freeze"):  # as the checkout's web process does after its warm-up
        warmup.heap_freeze()
    client = Client()
    client.force_login(user)
    print("ready", flush=True)
    for line in sys.stdin:
        started = time.thread_time()
        response = client.get(line.strip())
        spent = (time.thread_time() - started) * 1000
        print(f"{spent:.3f} {response.status_code} {len(response.content)}", flush=True)


class Checkout:
    def __init__(self, directory: Path, database: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(directory), "DATABASE_URL": database}
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--serve"], cwd=directory, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        while (line := self.process.stdout.readline()) and line.strip() != "ready":
            pass
        if not line:
            raise SystemExit(f"{directory}: the dashboard did not start (try its manage.py check)")

    def get(self, url: str) -> tuple[float, str]:
        self.process.stdin.write(url + "\n")
        self.process.stdin.flush()
        spent, status, _size = self.process.stdout.readline().split()
        return float(spent), status

    def close(self) -> None:
        self.process.kill()


def main() -> None:
    if sys.argv[1:] == ["--serve"]:
        serve()
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--database", required=True, help="DATABASE_URL of both (or of the base)")
    parser.add_argument("--database-new", help="DATABASE_URL of the new checkout, if not the same")
    parser.add_argument("--requests", type=int, default=200, help="per URL and checkout")
    args = parser.parse_args()
    base, new = Checkout(args.base, args.database), Checkout(args.new, args.database_new or args.database)
    try:
        for url in args.urls:
            for _ in range(WARM_UP_REQUESTS):
                base.get(url)
                new.get(url)
            spent: dict[Checkout, list[float]] = {base: [], new: []}
            for turn in range(args.requests):
                for checkout in (base, new) if turn % 2 == 0 else (new, base):
                    ms, status = checkout.get(url)
                    if status != "200":
                        raise SystemExit(f"{url}: HTTP {status}")
                    spent[checkout].append(ms)
            ratio = statistics.median(b / a for a, b in zip(spent[base], spent[new], strict=True))
            # The means too: what happens once in many requests (a garbage collection) is in them only.
            means = statistics.fmean(spent[base]), statistics.fmean(spent[new])
            print(
                f"{url}: base {statistics.median(spent[base]):.2f} ms, new {statistics.median(spent[new]):.2f} ms, "
                f"new/base {ratio:.3f} (median of {args.requests} pairs); means {means[0]:.2f} and "
                f"{means[1]:.2f} ms, {means[1] / means[0]:.3f}",
                flush=True,
            )
    finally:
        base.close()
        new.close()


if __name__ == "__main__":
    main()
