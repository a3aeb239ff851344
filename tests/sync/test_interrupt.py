"""Stopping a sync: SIGINT and SIGTERM end `sync_hotlines` and `db_worker` within seconds, even while
eTelecom is slow to answer, and the run says why; Cancel and the duration limit stop a sync that
waits on a page that does not come."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection as db_connection

from hotlines.models import SyncRun
from hotlines.services.sync import hotlines_sync, sync_run_cancel

from .helpers import manage, run_in_process, snapshot

pytestmark = pytest.mark.django_db(transaction=True)

STOP_WITHIN = 5.0  # seconds from the signal to the process's exit
SIGNALS = pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])


def wait_until(condition: Callable[[], object], process: subprocess.Popen | None = None, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        if process is not None and process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"the process ended early ({process.returncode}): {out[-2000:]} {err[-2000:]}")
        time.sleep(0.05)


def signalled(process: subprocess.Popen, signum: int) -> tuple[float, str, str]:
    """Send the signal; return how long the process took to exit, and what it wrote."""
    sent = time.monotonic()
    process.send_signal(signum)
    try:
        out, err = process.communicate(timeout=STOP_WITHIN * 4)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"still running {STOP_WITHIN * 4:.0f} s after the signal: {err[-3000:]}")
    return time.monotonic() - sent, out, err


def interrupted(signum: int) -> str:
    return f"Interrupted by {signal.Signals(signum).name}; the previous data is unchanged."


@SIGNALS
def test_sync_hotlines_stops_within_seconds_while_a_page_is_slow(process_db, sandbox, signum):
    run_in_process(process_db, "setup", sandbox_url=sandbox.url)
    slow = sandbox.faults.add("delay", page=3, seconds=30)
    command = manage(process_db, "sync_hotlines", "--no-progress")
    wait_until(lambda: slow.hits, command)
    time.sleep(0.5)  # the main thread now waits for the page that does not come

    took, _out, err = signalled(command, signum)
    assert took < STOP_WITHIN, err[-3000:]
    assert command.returncode == 128 + signum
    assert interrupted(signum) in err
    state = run_in_process(process_db, "runs")
    assert [(r["status"], r["error"], r["pages"]) for r in state["runs"]] == [("failed", interrupted(signum), 2)]
    assert (state["hotlines"], state["staged"]) == (0, 0)


@SIGNALS
def test_db_worker_stops_a_sync_within_seconds_and_exits(process_db, sandbox, signum):
    slow = sandbox.faults.add("delay", page=3, seconds=30)
    queued = run_in_process(process_db, "request", sandbox_url=sandbox.url)
    worker = manage(process_db, "db_worker", "--no-startup-delay", "--no-reload", "--interval", "0.1")
    wait_until(lambda: slow.hits, worker)
    time.sleep(0.5)

    took, _out, err = signalled(worker, signum)
    assert took < STOP_WITHIN, err[-3000:]
    assert worker.returncode == 0, err[-3000:]  # a clean stop, as db_worker's own graceful shutdown
    state = run_in_process(process_db, "runs")
    assert [(r["pk"], r["status"], r["error"]) for r in state["runs"]] == [
        (queued["run"], "failed", interrupted(signum))
    ]
    assert (state["hotlines"], state["staged"]) == (0, 0)


def _leftover_threads_end() -> None:
    """The page fetch left behind by a stopped sync ends with its read timeout: let it, so it
    never reaches the sandbox during the next test."""
    wait_until(lambda: not [t for t in threading.enumerate() if t.name.startswith(("etelecom-fetch", "sync-prepare"))])


def test_cancel_stops_a_sync_waiting_on_a_slow_page(settings, superuser, connection, sandbox, first_sync):
    settings.ETELECOM_RETRIES = 0
    before = snapshot()
    slow = sandbox.faults.add("delay", page=3, seconds=30)  # the read times out after 5 s (connection.timeout)
    cancelled = []

    def cancel() -> None:
        try:
            wait_until(lambda: slow.hits)
            time.sleep(0.3)
            cancelled.append(sync_run_cancel(run=SyncRun.objects.get(status="running"), user=superuser))
        finally:
            db_connection.close()

    thread = threading.Thread(target=cancel)
    started = time.monotonic()
    thread.start()
    run = hotlines_sync(connection=connection)
    took = time.monotonic() - started
    thread.join()
    assert cancelled == [True]
    assert run.status == "failed" and run.error == "Cancelled by root; the previous data is unchanged."
    assert took < 3.5  # not the 5 s of the read timeout: the wait itself notices the cancel
    assert snapshot() == before
    _leftover_threads_end()


def test_a_sync_longer_than_its_limit_is_stopped(settings, connection, sandbox, first_sync):
    settings.ETELECOM_RETRIES = 0
    settings.SYNC_MAX_DURATION = 1
    before = snapshot()
    sandbox.faults.add("delay", page=3, seconds=30)
    started = time.monotonic()
    run = hotlines_sync(connection=connection)
    assert time.monotonic() - started < 3.5
    assert run.status == "failed"
    assert run.error == (
        "The sync ran longer than its limit of 1 second (SYNC_MAX_DURATION) and was stopped; "
        "the previous data is unchanged."
    )
    assert snapshot() == before
    _leftover_threads_end()
