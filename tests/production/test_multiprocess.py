"""Two gunicorn processes and a worker on one database: browse through both while a sync runs.

The test builds its own database (a SQLite file, or a fresh PostgreSQL database when the suite
runs on PostgreSQL) because the processes it starts cannot see pytest's test database.
Nothing may be lost or duplicated, and no request may fail or show a mix of snapshots.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from benchmarks.common import free_port, stop_processes, wait_http

ROOT = Path(__file__).resolve().parents[2]
COUNT = re.compile(r"([\d.,\u202f\xa0]+)\s+hotlines?\s+match")
# A request answered with a 5xx, as the request log writes it ("GET /hotlines/ 500 12.3ms"): not
# any " 500 " (a warm-up of 500 ms matched that once).
SERVER_ERROR = re.compile(r"\b(?:GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) \S+ 5\d\d \d+(?:\.\d+)?ms\b")


def _count(html: str) -> int:
    match = COUNT.search(html)
    assert match, "the list states how many hotlines match"
    return int(re.sub(r"\D", "", match.group(1)))


@pytest.mark.django_db(transaction=True)
def test_two_web_processes_and_a_worker_share_one_database(sandbox, process_env, tmp_path):
    sandbox.dataset.reset(size=1500)
    env = process_env
    manage = [sys.executable, str(ROOT / "manage.py")]
    run = lambda *args: subprocess.run([*manage, *args], env=env, cwd=ROOT, check=True, capture_output=True, text=True)  # noqa: E731
    run("migrate", "--no-input", "-v0")
    run("sync_hotlines", "--no-progress")
    session = (
        run(
            "shell",
            "-c",
            "from django.contrib.auth import get_user_model;"
            "from django.contrib.sessions.backends.db import SessionStore;"
            "u=get_user_model().objects.create_superuser('ops','ops@example.com','pw-ops-123');"
            "s=SessionStore();s['_auth_user_id']=str(u.pk);"
            "s['_auth_user_backend']='django.contrib.auth.backends.ModelBackend';"
            "s['_auth_user_hash']=u.get_session_auth_hash();s.create();print(s.session_key)",
        )
        .stdout.strip()
        .splitlines()[-1]
    )

    # The next sync will remove 20 hotlines, add 10 and change 50: the new snapshot has 1,490.
    items = sandbox.dataset.all()
    for item in items[100:120]:
        sandbox.dataset.remove(item["id"])
    for item in items[200:250]:
        sandbox.dataset.patch(item["id"], status="N" if item["status"] != "N" else "P")
    for n in range(10):
        sandbox.dataset.add({**items[0], "id": str(9_000_000_000_000_000_000 + n), "hotline": f"1900{n:04d}"})
    expected_ids = {item["id"] for item in sandbox.dataset.all()}
    sandbox.faults.add("delay", seconds=0.08)  # a slow upstream: the sync overlaps the browsing

    ports = [free_port(), free_port()]
    logs = [open(tmp_path / f"proc{n}.log", "w") for n in range(3)]  # noqa: SIM115 - closed below
    gunicorn = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "--workers", "2"]
    procs = [
        subprocess.Popen([*gunicorn, "--bind", f"127.0.0.1:{port}"], env=env, cwd=ROOT, stdout=log, stderr=log)
        for port, log in zip(ports, logs, strict=False)
    ]
    worker = [*manage, "db_worker", "--no-reload", "--interval", "0.2"]
    procs.append(subprocess.Popen(worker, env=env, cwd=ROOT, stdout=logs[2], stderr=logs[2]))
    try:
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base in bases:
            wait_http(f"{base}/healthz")
        web = requests.Session()
        web.cookies.set("sessionid", session)
        assert _count(web.get(f"{bases[0]}/hotlines/", timeout=10).text) == 1500

        token = web.get(f"{bases[0]}/syncs/", timeout=10).cookies.get("csrftoken") or web.cookies.get("csrftoken")
        started = web.post(f"{bases[0]}/syncs/start/", headers={"X-CSRFToken": token}, timeout=10)
        assert started.status_code == 200, started.text[:500]

        seen, requests_made, deadline = set(), 0, time.monotonic() + 120
        while time.monotonic() < deadline:
            for n, base in enumerate(bases):
                response = web.get(f"{base}/hotlines/", params={"status": ["P", "N", "Z"], "page": n + 1}, timeout=10)
                requests_made += 1
                assert response.status_code == 200, (base, response.status_code)
                seen.add(_count(response.text))
                assert seen <= {1500, 1490}, f"a mix of snapshots was shown: {sorted(seen)}"
            ready = web.get(f"{bases[1]}/readyz", timeout=10).json()
            if ready["last_sync"]["last_outcome"] == "succeeded" and 1490 in seen:
                break
            time.sleep(0.05)
        assert seen == {1500, 1490}, f"the list never moved to the new snapshot: {seen}"
        assert requests_made > 10

        exported = web.get(f"{bases[1]}/hotlines/", params={"_export": "json", "per_page": 25}, timeout=60)
        assert exported.status_code == 200
        ids = [row["id"] for row in exported.json()]
        assert len(ids) == len(set(ids)), "a hotline appears twice"
        assert set(ids) == expected_ids, "hotlines lost or left behind"
    finally:
        stop_processes(procs)
        for log in logs:
            log.close()
    errors = [
        line
        for n in range(3)
        for line in (tmp_path / f"proc{n}.log").read_text().splitlines()
        if SERVER_ERROR.search(line) or "Internal Server Error" in line
    ]
    assert not errors, errors


def _csrf(web: requests.Session, url: str) -> str:
    page = web.get(url, timeout=10)
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


@pytest.mark.django_db(transaction=True)
def test_a_sign_out_in_one_process_holds_in_the_others_with_a_shared_cache(process_env, tmp_path):
    """With CACHE_URL shared, sessions are read from the cache (settings: cached_db); signing out
    through one web process must end the session in every other one at once, as the database
    alone did. The same with the default cache of each process's own (sessions in the database)."""
    for cache_url in (f"filecache://{tmp_path / 'cache'}", None):
        env = {key: value for key, value in process_env.items() if key != "CACHE_URL"}
        if cache_url:
            env["CACHE_URL"] = cache_url
        manage = [sys.executable, str(ROOT / "manage.py")]
        engine = subprocess.run(
            [*manage, "shell", "-c", "from django.conf import settings; print(settings.SESSION_ENGINE)"],
            env=env, cwd=ROOT, check=True, capture_output=True, text=True,
        ).stdout.split()[-1]  # fmt: skip
        assert engine.endswith("cached_db" if cache_url else ".db")
        subprocess.run([*manage, "migrate", "--no-input", "-v0"], env=env, cwd=ROOT, check=True)
        subprocess.run(
            [*manage, "shell", "-c", "from django.contrib.auth import get_user_model as m; u = m().objects;"
             "u.filter(username='ops').exists() or u.create_superuser('ops', 'o@x.vn', 'pw-ops-123')"],
            env=env, cwd=ROOT, check=True,
        )  # fmt: skip
        ports = [free_port(), free_port()]
        gunicorn = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "--workers", "1"]
        procs = [
            subprocess.Popen([*gunicorn, "--bind", f"127.0.0.1:{port}"], env=env, cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for port in ports
        ]  # fmt: skip
        try:
            first, second = (f"http://127.0.0.1:{port}" for port in ports)
            for base in (first, second):
                wait_http(f"{base}/healthz")
            web = requests.Session()
            login = f"{first}/accounts/login/"
            signed_in = web.post(
                login, data={"username": "ops", "password": "pw-ops-123", "csrfmiddlewaretoken": _csrf(web, login)},
                headers={"Referer": login}, timeout=10,
            )  # fmt: skip
            assert signed_in.status_code == 200 and "Sign out" in signed_in.text
            for base in (first, second, first):  # each process reads the session (and caches it)
                page = web.get(f"{base}/hotlines/", timeout=10, allow_redirects=False)
                assert page.status_code == 200, (base, page.status_code)
            copied = requests.Session()  # the same session's cookie, kept elsewhere (another tab, a thief)
            copied.cookies.set("sessionid", web.cookies["sessionid"])
            assert copied.get(f"{first}/hotlines/", timeout=10, allow_redirects=False).status_code == 200
            token = _csrf(web, f"{second}/hotlines/")
            out = web.post(
                f"{second}/accounts/logout/", data={"csrfmiddlewaretoken": token},
                headers={"Referer": f"{second}/hotlines/"}, timeout=10, allow_redirects=False,
            )  # fmt: skip
            assert out.status_code == 302
            for client in (web, copied):  # the session is over in each process, whoever holds its cookie
                for base in (first, second):
                    page = client.get(f"{base}/hotlines/", timeout=10, allow_redirects=False)
                    assert page.status_code == 302 and "/accounts/login/" in page.headers["Location"], base
        finally:
            stop_processes(procs)
