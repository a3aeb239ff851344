"""Run every benchmark suite on SQLite and PostgreSQL and write one report.

    python -m benchmarks [--only sync,list] [--quick] [--sqlite-size N] [--pg-size N] [--no-pg]
    python -m benchmarks --scale 10m     # ten million hotlines, PostgreSQL only (about an hour)

Each database runs in its own subprocess (`benchmarks.runner`), since Django's settings are
fixed per process. The report is printed and written to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from datetime import datetime
from importlib.metadata import version

from .common import ROOT

SUITES = ["sync", "list", "tenants", "export", "load", "security", "watches", "notifications"]
SCALES = {"10m": 10_000_000}  # --scale: the `scale` suite alone, on PostgreSQL, at this size
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/etelecom_bench")
TAG = os.environ.get("BENCH_TAG", "")  # keeps concurrent runs (different suites) on separate files


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--only", default=",".join(SUITES), help="Comma-separated suites.")
    parser.add_argument("--quick", action="store_true", help="Small sizes, for a smoke run.")
    parser.add_argument("--sqlite-size", type=int, default=100_000)
    parser.add_argument("--pg-size", type=int, default=1_000_000)
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--scale", choices=sorted(SCALES), help="The scale suite at this size (PostgreSQL only).")
    parser.add_argument(
        "--users", type=_positive_int, help="Staff in the load suite (its targets are for 100, the default)."
    )
    args = parser.parse_args()
    if args.scale:
        args.only, args.pg_size, args.no_sqlite = "scale", SCALES[args.scale], True
    suites = [s for s in args.only.split(",") if s]
    runs = []
    if not args.no_sqlite:
        runs.append(
            (
                "sqlite",
                f"sqlite:///{ROOT / 'artifacts' / f'bench{TAG}.sqlite3'}",
                5_000 if args.quick else args.sqlite_size,
            )
        )
    if not args.no_pg:
        runs.append(("postgresql", PG_URL, 20_000 if args.quick else args.pg_size))
    (ROOT / "artifacts").mkdir(exist_ok=True)
    results = []
    for db, url, size in runs:
        out = ROOT / "artifacts" / f"bench{TAG}-{db}.json"
        cmd = [sys.executable, "-m", "benchmarks.runner", "--db", db, "--size", str(size), "--suites", ",".join(suites),
               "--out", str(out)] + (["--quick"] if args.quick else [])  # fmt: skip
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "etelecom_admin.test_settings"}
        if args.users:
            env["BENCH_USERS"] = str(args.users)
        print(f"== {db}: {size:,} hotlines: {', '.join(suites)}", flush=True)
        code = subprocess.call(cmd, env=env, cwd=ROOT)
        if code != 0:
            print(f"benchmark run on {db} failed (exit {code})", file=sys.stderr)
            return code
        results.extend(json.loads(out.read_text()))
    report = render(results)
    print(report)
    (ROOT / "docs").mkdir(exist_ok=True)
    (ROOT / "docs" / "benchmarks.md").write_text(report)
    return 0


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, not {text!r}")
    return value


def render(results: list[dict]) -> str:
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor()
    lines = [
        "# Benchmarks",
        "",
        f"Measured {datetime.now():%Y-%m-%d %H:%M} on {cpu} ({os.cpu_count()} cores), "
        f"Python {platform.python_version()}, Django {version('django')}, "
        f"SQLite {__import__('sqlite3').sqlite_version}, psycopg {version('psycopg')}.",
        "Every figure sits beside its peer measured in the same run: the machine is shared and noisy, "
        "so the ratios matter more than the seconds. Produced by `make bench`.",
        "",
    ]
    for suite in dict.fromkeys(r["suite"] for r in results):
        lines += [
            f"## {suite}",
            "",
            "| case | figure | peer | peer figure | ratio | target | ok |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in (r for r in results if r["suite"] == suite):
            ok = "" if r["ok"] is None else ("yes" if r["ok"] else "**no**")
            cells = [r["case"], r["value"], r["peer"], r["peer_value"], r["ratio"], r["target"], ok]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
