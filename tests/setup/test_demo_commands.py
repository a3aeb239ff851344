"""`make run PORT= SANDBOX_PORT=` reaches rundemo, and the demo and the sandbox serve as many
hotlines as the README says."""

from __future__ import annotations

import re
import socket
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hotlines.management.commands import etelecom_sandbox, rundemo

ROOT = Path(__file__).resolve().parents[2]


def _options(command, *args: str):
    return command.Command().create_parser("manage.py", "command").parse_args(list(args))


def test_make_run_passes_its_ports_to_the_demo():
    plan = subprocess.run(
        ["make", "-n", "run", "PORT=8123", "SANDBOX_PORT=8766"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    ).stdout  # fmt: skip
    assert "scripts/ensure_env.py" in plan  # the .env first, before anything reads settings
    assert plan.index("scripts/ensure_env.py") < plan.index("manage.py migrate")
    assert re.search(r"manage\.py rundemo --port 8123 --sandbox-port 8766$", plan, re.M)
    default = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    assert re.search(r"manage\.py rundemo --port 8000 --sandbox-port 8765$", default.stdout, re.M)


def test_rundemo_takes_the_ports():
    options = _options(rundemo, "--port", "8123", "--sandbox-port", "8766")
    assert (options.port, options.sandbox_port) == (8123, 8766)


@pytest.mark.parametrize("bad", ["0", "70000", "http", "-1"])
def test_rundemo_refuses_a_bad_port(bad):
    with pytest.raises(CommandError, match="not a port number"):
        call_command("rundemo", "--port", bad)


@pytest.mark.django_db
def test_rundemo_says_which_port_is_taken_before_starting_anything():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(CommandError, match=rf"Port {port} is already in use.*make run PORT="):
            call_command("rundemo", "--port", str(port))


def test_the_sandbox_serves_as_many_hotlines_as_the_demo_and_the_readme_say(settings):
    readme = (ROOT / "README.md").read_text()
    stated = re.search(r"Partner API with ([\d,]+)\s+realistic", readme).group(1)
    assert stated == f"{settings.DEMO_HOTLINES:,}" == "5,000"
    assert f"It serves {stated} hotlines unless told" in readme  # the sandbox's own section
    assert _options(etelecom_sandbox).hotlines == _options(rundemo).hotlines == settings.DEMO_HOTLINES

    settings.DEMO_HOTLINES = 50_000  # DEMO_HOTLINES=50000 make run (or manage.py etelecom_sandbox)
    assert _options(etelecom_sandbox).hotlines == _options(rundemo).hotlines == 50_000
