"""An operator presses Sync now and watches the sync run and finish, without reloading the page.

The real thing, as `make run` starts it: the web server and the background worker
(`manage.py db_worker`) in their own processes on one database (a SQLite file in WAL mode, or a
fresh PostgreSQL database when the suite runs on PostgreSQL), Chromium in front.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

from benchmarks.common import free_port, stop_processes
from tests.browser.conftest import collect_errors

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def stack(process_env, tmp_path):
    """The dashboard and its worker, synced once from the sandbox; yields the base URL."""
    env = {**process_env, "ETELECOM_PAGE_SIZE": "25"}
    manage = [sys.executable, str(ROOT / "manage.py")]

    def run(*args: str) -> str:
        return subprocess.run([*manage, *args], env=env, cwd=ROOT, check=True, capture_output=True, text=True).stdout

    run("migrate", "--no-input", "-v0")
    run("sync_hotlines", "--no-progress")
    run("shell", "-c", "from django.contrib.auth import get_user_model; "
        "get_user_model().objects.create_superuser('operator', 'op@example.com', 'pw-operator-1')")  # fmt: skip
    port = free_port()
    logs = [open(tmp_path / name, "w") for name in ("web.log", "worker.log")]  # noqa: SIM115 - closed below
    procs = [
        subprocess.Popen([*manage, "runserver", f"127.0.0.1:{port}", "--noreload", "--nothreading"],
                         env=env, cwd=ROOT, stdout=logs[0], stderr=logs[0]),
        subprocess.Popen([*manage, "db_worker", "--no-reload", "--interval", "0.2"],
                         env=env, cwd=ROOT, stdout=logs[1], stderr=logs[1]),
    ]  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, "the dashboard did not start"
            time.sleep(0.2)
        yield base
    finally:
        stop_processes(procs)
        for log in logs:
            log.close()


def test_sync_now_shows_progress_then_the_outcome(page, stack, sandbox, screenshot):
    items = sandbox.dataset.all()
    # Renamed and moved to another network: one row on the run's page, holding both changes.
    moved = "other" if items[3]["network"] != "other" else "viettel"
    sandbox.dataset.patch(items[3]["id"], name="Tổng đài vừa đổi tên", network=moved)
    sandbox.dataset.remove(items[50]["id"])
    sandbox.faults.add("delay", seconds=0.4)  # ten pages at 0.4 s: long enough to watch
    problems = collect_errors(page)

    page.goto(f"{stack}/accounts/login/")
    page.get_by_label("Username").fill("operator")
    page.get_by_label("Password").fill("pw-operator-1")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login" not in url)
    page.goto(f"{stack}/syncs/")
    expect(page.get_by_role("button", name="Sync now")).to_have_count(1)  # the page's, not the bar's too
    page.locator("main").get_by_role("button", name="Sync now").click()

    page.wait_for_url(re.compile(r"/syncs/\d+/$"))
    card = page.locator(".sync-progress")
    expect(page.locator(".messages")).to_have_count(0)  # the card says queued, then running: no stale note
    expect(card).to_contain_text(re.compile(r"[1-9]\d* hotlines fetched so far"), timeout=15_000)  # live
    expect(card.locator("progress")).to_be_visible()
    screenshot(page, "sync-running")
    expect(page.locator(".freshness")).to_contain_text("Sync running")

    expect(card.locator(".badge")).to_have_text("Succeeded", timeout=30_000)
    expect(card).to_contain_text("Finished in")
    expect(card).to_contain_text("229 hotlines fetched")  # one of the 230 was removed upstream
    tenants = card.locator(".sync-tenant-figures")  # the tenant list was read and published too
    expect(tenants).to_contain_text("Tenants fetched")
    expect(tenants.locator("div", has_text="Tenants unchanged").locator("dd")).to_have_text(
        str(len(sandbox.dataset.tenants.all()))
    )
    changes = page.locator("#changes")
    expect(changes).to_contain_text("Tổng đài vừa đổi tên")
    renamed = changes.locator("tbody tr", has_text="Tổng đài vừa đổi tên")
    expect(renamed).to_have_count(1)
    expect(renamed).to_contain_text("Network")
    expect(changes.locator(".chip", has_text="Changed")).to_contain_text("1")  # hotlines, as Updated counts them
    expect(card.locator("dd").nth(3)).to_have_text("1")  # Updated
    expect(changes).to_contain_text(items[50]["hotline"])
    expect(page.locator(".freshness")).to_contain_text("Data last synced")
    expect(page.locator(".freshness")).not_to_contain_text("Sync running")
    screenshot(page, "sync-finished")

    # The Syncs page filters like the hotline list: tick a status, apply, see only those runs.
    page.goto(f"{stack}/syncs/")
    page.locator(".filters").get_by_label("Succeeded").check()
    page.locator(".filters").get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"status=succeeded"))
    expect(page.locator(".results tbody .badge")).not_to_have_count(0)
    for badge in page.locator(".results tbody .badge").all():
        expect(badge).to_have_text("Succeeded")
    screenshot(page, "syncs-filtered")

    assert not problems, problems
