"""Entry points the sync tests run in separate OS processes: `python -m tests.sync.processes CMD`.

Each prints one JSON object on its last line. The database is the one DATABASE_URL names: the
test database on PostgreSQL, a migrated SQLite file otherwise (an in-memory test database cannot
be shared between processes).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "etelecom_admin.test_settings")
    import django

    django.setup()


def setup(sandbox_url: str) -> dict:
    """Point the connection `default` at the sandbox (page size 50)."""
    from hotlines.etelecom.sandbox import DEFAULT_API_KEY
    from hotlines.services.connections.writes import connection_upsert

    connection = connection_upsert(name="default", base_url=sandbox_url, api_key=DEFAULT_API_KEY, page_size=50)
    return {"connection_id": connection.pk}


def race(gate: str) -> dict:
    """Connect, say so, wait for the gate to open, then try to start a sync of `default`.

    The gate is a directory: each racer writes `ready-<pid>` there once connected, and they all
    go when the test creates `go` (after every racer is ready), however slowly a loaded machine
    starts the processes."""
    from pathlib import Path

    from django.db import connection as db

    from hotlines.models import Connection
    from hotlines.services.sync import SyncAlreadyRunning, sync_run_start

    target = Connection.objects.get(name="default")
    db.ensure_connection()
    gate_dir = Path(gate)
    (gate_dir / f"ready-{os.getpid()}").touch()
    deadline = time.monotonic() + 120
    while not (gate_dir / "go").exists():
        if time.monotonic() > deadline:
            return {"started": False, "run": None, "ready": False, "message": "the gate never opened"}
        time.sleep(0.005)
    try:
        run = sync_run_start(connection=target, trigger="command")
    except SyncAlreadyRunning as exc:
        return {"started": False, "run": exc.run.pk, "ready": True, "message": str(exc)}
    return {"started": True, "run": run.pk, "ready": True}


def sync() -> dict:
    """Sync `default` to the end (or until killed)."""
    from hotlines.models import Connection
    from hotlines.services.sync import SyncAlreadyRunning, hotlines_sync

    try:
        run = hotlines_sync(connection=Connection.objects.get(name="default"))
    except SyncAlreadyRunning as exc:
        return {"refused": str(exc)}
    return {"run": run.pk, "status": run.status, "error": run.error, "created": run.created}


def request(sandbox_url: str) -> dict:
    """Set up `default` and queue a sync of it, as the Sync now button does (for a `db_worker`)."""
    from hotlines.models import Connection
    from hotlines.services.sync import sync_request

    setup(sandbox_url)
    run = sync_request(connection=Connection.objects.get(name="default"), user=None)
    return {"run": run.pk, "status": run.status}


def runs() -> dict:
    """Every run, and how many rows are staged."""
    from hotlines.models import Hotline, StagedHotline, SyncRun

    return {
        "runs": list(SyncRun.objects.order_by("pk").values("pk", "status", "error", "pages")),
        "staged": StagedHotline.objects.count(),
        "hotlines": Hotline.objects.count(),
    }


def isolation() -> dict:
    """Read the hotlines and tenants over and over while a sync is applied (slowed down), and
    report what was seen: new hotlines with old tenants (or the reverse) count as mixed."""
    from django.db import connection as db
    from django.db import transaction

    from hotlines.etelecom.sandbox import DEFAULT_API_KEY, SandboxServer
    from hotlines.models import Hotline, Tenant
    from hotlines.services.connections.client import connection_client
    from hotlines.services.connections.writes import connection_upsert
    from hotlines.services.sync import hotlines_sync, steps
    from tests.sync.tenant_upstream import TenantClient, TenantUpstream, tenant_payload, tenants_for

    server = SandboxServer("127.0.0.1", 0, hotlines=300, seed=3).start()
    try:
        target = connection_upsert(name="isolation", base_url=server.url, api_key=DEFAULT_API_KEY, page_size=50)
        upstream = TenantUpstream(items=tenants_for(server.dataset.all()))

        def sync_now():
            client = TenantClient(connection_client(target), upstream)
            try:
                return hotlines_sync(connection=target, client=client)
            finally:
                client.close()

        assert sync_now().status == "succeeded"
        table, tenants = Hotline._meta.db_table, Tenant._meta.db_table

        def read() -> frozenset:
            # One statement: what a reader of the list (its hotlines, their tenants and counts)
            # sees at one moment.
            with db.cursor() as cursor:
                cursor.execute(
                    f"SELECT 'h', etelecom_id, name, status, 0 FROM {table} "  # noqa: S608
                    "WHERE connection_id = %s AND NOT is_removed UNION ALL "
                    f"SELECT 't', etelecom_id, name, status, hotline_count FROM {tenants} "
                    "WHERE connection_id = %s AND NOT is_removed",
                    [target.pk, target.pk],
                )
                return frozenset(cursor.fetchall())

        old = read()
        items = server.dataset.all()
        for item in items[:40]:
            server.dataset.patch(item["id"], name=item["name"] + " (mới)", status="N" if item["status"] != "N" else "P")
        for item in items[100:115]:
            server.dataset.remove(item["id"])
        for n in range(10):
            server.dataset.add({**items[n], "id": str(9_200_000_000_000_000_000 + n), "hotline": f"1900{n:04d}"})
        for tenant in upstream.items[:3]:
            upstream.patch(tenant["id"], name=tenant["name"] + " (mới)")
        upstream.remove(upstream.items[4]["id"])
        upstream.items.append(tenant_payload(40, owner_id=items[0]["owner_id"]))

        # Moments (monotonic) around the apply: its transaction began, its COMMIT was sent, it returned.
        marks: dict = {}  # moments (monotonic), and the steps passed
        stop = threading.Event()
        seen: list[tuple[frozenset, float, float]] = []

        def slow_step(name: str) -> None:
            marks.setdefault("began", time.monotonic())
            marks.setdefault("steps", []).append(name)
            time.sleep(0.25)
            if name == "done":
                marks["commit_sent"] = time.monotonic()  # the next thing the apply does is COMMIT
                transaction.on_commit(lambda: marks.setdefault("committed", time.monotonic()))

        def reader() -> None:
            try:
                while not stop.is_set():
                    started = time.monotonic()
                    snap = read()
                    seen.append((snap, started, time.monotonic()))
                    time.sleep(0.01)
            finally:
                db.close()

        thread = threading.Thread(target=reader)
        thread.start()
        time.sleep(0.2)
        steps.on_step = slow_step
        run = sync_now()
        time.sleep(0.3)
        stop.set()
        thread.join()
        new = read()
    finally:
        server.stop()
    during = [snap for snap, start, end in seen if start >= marks["began"] and end <= marks["commit_sent"]]
    after = [snap for snap, start, _end in seen if start >= marks["committed"]]
    return {
        "status": run.status,
        "changed": old != new,
        "observations": len(seen),
        "during_apply": len(during),
        "old_during_apply": sum(1 for snap in during if snap == old),
        "after_commit": len(after),
        "new_after_commit": sum(1 for snap in after if snap == new),
        "mixed": sum(1 for snap, _, _ in seen if snap not in (old, new)),
        "tenants_changed": {row for row in old if row[0] == "t"} != {row for row in new if row[0] == "t"},
        "tenant_steps": sorted(name for name in marks.get("steps", ()) if "tenant" in name),
    }


COMMANDS = {
    "setup": setup, "race": race, "sync": sync, "request": request, "runs": runs, "isolation": isolation
}  # fmt: skip

if __name__ == "__main__":
    _setup_django()
    command, *args = sys.argv[1:]
    kwargs = json.loads(args[0]) if args else {}
    print(json.dumps(COMMANDS[command](**kwargs)), flush=True)
