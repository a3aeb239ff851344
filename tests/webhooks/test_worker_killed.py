"""A worker killed mid-delivery (SIGKILL while the receiver holds the request): after recovery and a
restart, the receiver has processed the delivery exactly once (by its idempotency key), and the log
shows one delivered delivery."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from tests.sync.helpers import ROOT, manage, process_env

from .conftest import SECRET

pytestmark = pytest.mark.django_db(transaction=True)


def run_process(db_url: str, command: str, **kwargs) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "tests.webhooks.processes", command, json.dumps(kwargs)],
        cwd=ROOT, env=process_env(db_url), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def wait_for(event: threading.Event, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not event.wait(0.1):
        if process.poll() is not None:
            _out, err = process.communicate()
            pytest.fail(f"the worker ended early ({process.returncode}): {err[-3000:]}")
        assert time.monotonic() < deadline, "the worker never posted"


def test_a_worker_killed_mid_delivery_delivers_once_after_restart(process_db, receiver):
    receiver.hold = threading.Event()
    receiver.hold.set()
    made = run_process(process_db, "setup", url=receiver.url, secret=SECRET)
    env = {"WEBHOOK_TRIES": "3", "WEBHOOK_BACKOFF": "0.01", "WEBHOOK_TIMEOUT": "30"}
    worker = manage(process_db, "db_worker", "--no-startup-delay", "--no-reload", "--interval", "0.1", env=env)
    try:
        wait_for(receiver.held, worker)
        os.kill(worker.pid, signal.SIGKILL)  # mid-delivery: the receiver has the request, no answer went back
        worker.wait(30)
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.communicate()
    receiver.hold.clear()
    receiver.release.set()
    (held,) = run_process(process_db, "state")["deliveries"]
    assert (held["status"], held["tries"]) == ("delivering", 1)

    recovered = manage(process_db, "recover_webhooks", "--stale-after", "0", env=env)
    out, err = recovered.communicate(timeout=120)
    assert recovered.returncode == 0, err[-3000:]
    assert "reclaimed=1" in out
    restarted = manage(process_db, "db_worker", "--no-startup-delay", "--no-reload", "--batch", env=env)
    _out, err = restarted.communicate(timeout=120)
    assert restarted.returncode == 0, err[-3000:]

    (delivery,) = run_process(process_db, "state")["deliveries"]
    assert (delivery["pk"], delivery["status"], delivery["tries"]) == (made["delivery"], "delivered", 2)
    key = delivery["idempotency_key"]
    assert [r.headers["Idempotency-Key"] for r in receiver.requests] == [key, key]
    assert all(r.signature_ok for r in receiver.requests)
    assert receiver.processed == {key: 1}
