"""Single flight across OS processes, a killed sync process, and readers during an apply.

These run real processes against one database: the test database on PostgreSQL, a migrated
SQLite file in WAL mode (as the dashboard runs it) when the suite runs on SQLite.
"""

from __future__ import annotations

import signal
import time

import pytest

from hotlines.services.sync import SyncAlreadyRunning, hotlines_sync, sync_run_start

from .helpers import outcome, run_in_process, spawn

pytestmark = pytest.mark.django_db(transaction=True)

RACERS = 4


def db_vendor(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def test_processes_racing_to_start_a_sync_get_one_run(process_db, sandbox, tmp_path):
    run_in_process(process_db, "setup", sandbox_url=sandbox.url)
    gate = tmp_path / "gate"
    gate.mkdir()
    racers = [spawn(process_db, "race", gate=str(gate)) for _ in range(RACERS)]
    deadline = time.monotonic() + 90
    while len(list(gate.glob("ready-*"))) < RACERS:  # every racer connected and waiting
        assert time.monotonic() < deadline and all(racer.poll() is None for racer in racers)
        time.sleep(0.02)
    (gate / "go").touch()
    results = [outcome(racer) for racer in racers]
    winners = [r for r in results if r["started"]]
    assert len(winners) == 1, results
    assert {r["run"] for r in results} == {winners[0]["run"]}  # the losers were told which run holds it
    for loser in (r for r in results if not r["started"]):
        assert "is already running since" in loser["message"]
    assert all(r["ready"] for r in results)  # they did race: all were waiting at the gate
    state = run_in_process(process_db, "runs")
    assert [(r["pk"], r["status"]) for r in state["runs"]] == [(winners[0]["run"], "running")]


def test_a_killed_sync_process_never_blocks_the_next_sync(process_db, sandbox):
    run_in_process(process_db, "setup", sandbox_url=sandbox.url)
    hang = sandbox.faults.add("delay", page=3, seconds=60)
    victim = spawn(process_db, "sync")
    deadline = time.monotonic() + 30
    while hang.hits == 0:  # it asks for the third page...
        assert time.monotonic() < deadline and victim.poll() is None
        time.sleep(0.05)
    # ...read ahead: the second page may still be being written while the third is asked for.
    # SQLite commits each staged page, so wait until both are there; PostgreSQL shows none until
    # its commit, so there is nothing to wait for.
    staged = 100 if db_vendor(process_db) == "sqlite" else 0
    while run_in_process(process_db, "runs")["staged"] != staged:
        assert time.monotonic() < deadline and victim.poll() is None
        time.sleep(0.1)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)
    sandbox.faults.clear()

    state = run_in_process(process_db, "runs")
    assert [r["status"] for r in state["runs"]] == ["running"]  # dead, but nobody knows yet
    assert state["hotlines"] == 0  # nothing of the two pages it had is visible
    # SQLite staged them (cleaned up below); PostgreSQL rolled the dead client's transaction back.
    assert state["staged"] == staged
    refused = run_in_process(process_db, "sync")  # its heartbeat is still recent: refused, not a second run
    assert "is already running since" in refused["refused"]

    time.sleep(1.1)
    after = run_in_process(process_db, "sync", env={"SYNC_HEARTBEAT_TIMEOUT": "1"})
    assert after["status"] == "succeeded" and after["created"] == 230
    state = run_in_process(process_db, "runs")
    dead = state["runs"][0]
    assert dead["status"] == "failed" and "stopped responding (no sign of life since" in dead["error"]
    assert state["staged"] == 0


def test_readers_see_the_old_or_the_new_list_never_a_mix(process_db):
    """Hotlines and tenants: never new hotlines with old tenants, nor the reverse."""
    report = run_in_process(process_db, "isolation")
    assert report["status"] == "succeeded" and report["changed"] and report["tenants_changed"]
    assert report["tenant_steps"] == ["tenant counts", "tenants"]  # published inside the same apply
    assert report["mixed"] == 0, report
    assert report["during_apply"] >= 10, report  # the apply took a while and readers kept reading...
    assert report["old_during_apply"] == report["during_apply"], report  # ...the old list, never blocked
    assert report["after_commit"] >= 5, report
    assert report["new_after_commit"] == report["after_commit"], report  # then the new one, all at once


def test_single_flight_in_one_process(connection, sandbox):
    running = sync_run_start(connection=connection, trigger="command")
    with pytest.raises(SyncAlreadyRunning, match=r"already running since .* \(run #\d+\)"):
        hotlines_sync(connection=connection)
    running.status = "succeeded"
    running.save()
    assert hotlines_sync(connection=connection).status == "succeeded"
