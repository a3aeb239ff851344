"""One database's benchmark run (a subprocess of `python -m benchmarks`)."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys

import django


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--suites", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "etelecom_admin.test_settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from .common import Context, start_sandbox

    if args.db == "sqlite":
        # A fresh file every run.
        name = connection.settings_dict["NAME"]
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(f"{name}{suffix}"):
                os.remove(f"{name}{suffix}")
    else:
        _recreate_pg_database(connection)
    call_command("migrate", verbosity=0, interactive=False)

    proc, url = start_sandbox(args.size)
    results = []
    try:
        ctx = Context(db=args.db, size=args.size, sandbox_url=url, quick=args.quick)
        for suite in args.suites.split(","):
            module = importlib.import_module(f"benchmarks.bench_{suite}")
            print(f"-- {suite}", flush=True)
            for result in module.run(ctx):
                print(
                    f"   {result.case}: {result.value}  | {result.peer} {result.peer_value}  {result.ratio}", flush=True
                )
                results.append(result.as_dict())
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    with open(args.out, "w") as out:
        json.dump(results, out, indent=1)
    return 0


def _recreate_pg_database(connection) -> None:
    import psycopg

    settings = connection.settings_dict
    connection.close()
    admin = psycopg.connect(
        host=settings["HOST"] or "127.0.0.1", port=settings["PORT"] or 5432, user=settings["USER"] or "postgres",
        password=settings["PASSWORD"] or None, dbname="postgres", autocommit=True,
    )  # fmt: skip
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{settings["NAME"]}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{settings["NAME"]}"')


if __name__ == "__main__":
    sys.exit(main())
