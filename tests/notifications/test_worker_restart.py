"""A worker killed (SIGKILL) in the middle of sending a digest: after a restart the digest is sent,
once. Real processes: `manage.py db_worker` on a database shared with the test, a real SMTP server
that holds the first message without answering, so the kill lands mid-conversation."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import threading
import time

import pytest

from tests.notifications.conftest import SmtpServer, _free_port
from tests.sync.conftest import process_db, sqlite_template  # noqa: F401 - fixtures
from tests.sync.helpers import ROOT, manage, process_env

pytestmark = pytest.mark.django_db(transaction=True)


class HoldFirst:
    """An SMTP handler that never answers the first message (its sender is killed meanwhile) and
    accepts the next ones."""

    def __init__(self) -> None:
        self.held = threading.Event()
        self.accepted: list = []

    async def handle_DATA(self, server, session, envelope):
        if not self.held.is_set():
            self.held.set()
            await asyncio.sleep(60)
            return "451 4.3.0 Too late"
        self.accepted.append(envelope)
        return "250 Message accepted for delivery"


def _run(db_url: str, command: str, env: dict) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "tests.notifications.processes", command],
        cwd=ROOT, env=process_env(db_url, **env), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_worker_killed_mid_delivery_sends_the_digest_once_after_restart(process_db):  # noqa: F811
    handler = HoldFirst()
    server = SmtpServer(port=_free_port())
    server.inbox = handler
    server.start()
    env = {
        "EMAIL_URL": f"smtp://127.0.0.1:{server.port}",
        "EMAIL_TIMEOUT": "30",
        "EMAIL_DIGEST_CLAIM_TIMEOUT": "2",
        "SITE_URL": "https://hotlines.partner.example",
    }
    try:
        _run(process_db, "seed", env)
        worker = manage(process_db, "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2", env=env)
        try:
            assert handler.held.wait(60), "the worker never reached the SMTP server"
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.communicate(timeout=30)
        assert _run(process_db, "state", env)["digests"] == [{"status": "sending", "tries": 1}]
        assert handler.accepted == []
        time.sleep(3.5)  # the claim goes stale; the sweep the task queued is due
        restarted = manage(process_db, "db_worker", "--batch", "--no-reload", "--no-startup-delay", env=env)
        _out, err = restarted.communicate(timeout=120)
        assert restarted.returncode == 0, err[-3000:]
        assert _run(process_db, "state", env)["digests"] == [{"status": "sent", "tries": 2}]
        assert [envelope.rcpt_tos for envelope in handler.accepted] == [["killed@partner.example"]]
        # Another worker finds nothing left to send.
        again = manage(process_db, "db_worker", "--batch", "--no-reload", "--no-startup-delay", env=env)
        again.communicate(timeout=120)
        assert len(handler.accepted) == 1
    finally:
        server.stop()
