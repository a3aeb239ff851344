"""Helpers of the sync tests: a full picture of what a sync may change, and upstream comparisons."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

from hotlines.models import Hotline, HotlineChange, StagedHotline, StagedTenant, SyncRun, Tenant, TenantChange

ROOT = Path(__file__).resolve().parents[2]


def snapshot() -> dict:
    """Everything a sync may change, row by row: hotlines (every column) and the change history."""
    hotlines = {
        h["etelecom_id"]: h
        for h in Hotline.objects.values(
            "etelecom_id", "hotline", "name", "description", "network", "status", "is_free_charge",
            "upstream_connection_id", "connection_method", "owner_id", "created_at", "updated_at", "raw",
            "content_hash", "search_text", "is_removed", "removed_at", "last_changed_at", "first_seen_at",
        )
    }  # fmt: skip
    changes = sorted(HotlineChange.objects.values_list("hotline__etelecom_id", "sync_run_id", "kind", "field"))
    return {"hotlines": hotlines, "changes": changes}


def upstream(sandbox) -> dict[str, dict]:
    return {item["id"]: item for item in sandbox.dataset.all()}


def assert_mirrors(sandbox) -> None:
    """The live hotlines are exactly the sandbox's, field for field."""
    live = {h.etelecom_id: h for h in Hotline.objects.filter(is_removed=False)}
    items = upstream(sandbox)
    assert live.keys() == items.keys()
    for etelecom_id, item in items.items():
        hotline = live[etelecom_id]
        assert hotline.raw == item
        assert (hotline.hotline, hotline.name, hotline.status, hotline.network) == (
            item["hotline"], item["name"], item["status"], item["network"],
        )  # fmt: skip
        assert (hotline.created_at, hotline.updated_at, hotline.is_free_charge) == (
            _when(item.get("created_at")), _when(item.get("updated_at")), item.get("is_free_charge"),
        )  # fmt: skip


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def assert_no_leftovers(run: SyncRun) -> None:
    """A finished run leaves nothing staged and nothing running."""
    assert not StagedHotline.objects.filter(sync_run=run).exists()
    assert not StagedTenant.objects.filter(sync_run=run).exists()
    assert not SyncRun.objects.filter(status__in=["queued", "running"]).exists()


def tenant_rows() -> dict:
    """Every tenant, every column a sync writes, and the tenants' history."""
    rows = {
        t["etelecom_id"]: t
        for t in Tenant.objects.values(
            "etelecom_id", "connection_id", "name", "domain", "owner_id", "status", "upstream_connection_id",
            "connection_method", "created_at", "updated_at", "raw", "content_hash", "search_text", "is_removed",
            "removed_at", "first_seen_at", "last_changed_at", "hotline_count", "enabled_count", "disabled_count",
        )
    }  # fmt: skip
    changes = sorted(TenantChange.objects.values_list("tenant__etelecom_id", "sync_run_id", "kind", "field"))
    return {"tenants": rows, "changes": changes}


def expected_counts(connection_id: int) -> dict[str, tuple[int, int, int]]:
    """Each tenant's (hotlines, enabled, disabled), counted in Python from the live hotlines."""
    live = Hotline.objects.filter(connection_id=connection_id, is_removed=False)
    by_owner: dict[str, Counter] = {}
    for owner, status in live.values_list("owner_id", "status"):
        by_owner.setdefault(owner, Counter())[status] += 1
    result = {}
    for tenant in Tenant.objects.filter(connection_id=connection_id):
        seen = by_owner.get(tenant.owner_id, Counter()) if tenant.owner_id and not tenant.is_removed else Counter()
        result[tenant.etelecom_id] = (seen.total(), seen["P"], seen["N"])
    return result


def stored_counts(connection_id: int) -> dict[str, tuple[int, int, int]]:
    return {
        t.etelecom_id: (t.hotline_count, t.enabled_count, t.disabled_count)
        for t in Tenant.objects.filter(connection_id=connection_id)
    }


def assert_no_staged_tenants() -> None:
    assert not StagedTenant.objects.exists()


def process_env(db_url: str, **extra: str) -> dict[str, str]:
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "etelecom_admin.test_settings", "DATABASE_URL": db_url, **extra}


def spawn(db_url: str, command: str, env: dict[str, str] | None = None, **kwargs) -> subprocess.Popen:
    """Start `tests.sync.processes COMMAND` in its own OS process."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.sync.processes", command, json.dumps(kwargs)],
        cwd=ROOT, env=process_env(db_url, **(env or {})), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def outcome(process: subprocess.Popen, timeout: float = 60) -> dict:
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err[-3000:]
    return json.loads(out.strip().splitlines()[-1])


def run_in_process(db_url: str, command: str, env: dict[str, str] | None = None, **kwargs) -> dict:
    return outcome(spawn(db_url, command, env, **kwargs))


def manage(db_url: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start `manage.py ARGS` in its own OS process, on the database `db_url`."""
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env=process_env(db_url, **(env or {})), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
