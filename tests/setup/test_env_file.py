"""A newcomer's first steps: `make run` writes a development .env, then the README's commands work.

Every command here runs as a separate process with a clean environment (no DEBUG, no SECRET_KEY),
as in a new shell, and reads the .env through ENV_FILE, so the repository's own .env is never
written or read.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from hotlines.etelecom.sandbox import DEFAULT_API_KEY

ROOT = Path(__file__).resolve().parents[2]
ENSURE_ENV = ROOT / "scripts" / "ensure_env.py"


def _ensure_env(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ENSURE_ENV), str(path)], capture_output=True, text=True, timeout=30, check=False
    )


def _clean_env(**extra: str) -> dict[str, str]:
    """A new shell's environment: none of the settings the suite or `make run` set."""
    keep = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "TMPDIR") if name in os.environ}
    return {**keep, **extra}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_make_run_writes_a_development_env_and_says_so(tmp_path):
    path = tmp_path / ".env"
    done = _ensure_env(path)
    assert done.returncode == 0, done.stderr
    assert f"Wrote {path}" in done.stdout and "DEBUG=1" in done.stdout
    text = path.read_text()
    assert re.search(r"^DEBUG=1$", text, re.M)
    key = re.search(r"^SECRET_KEY=(\S+)$", text, re.M).group(1)
    assert len(key) >= 50 and len(set(key)) > 20  # strong, not a placeholder
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # it holds a secret
    assert _ensure_env(tmp_path / "other.env").returncode == 0
    assert key not in (tmp_path / "other.env").read_text()  # generated for each checkout


def test_an_existing_env_is_never_changed(tmp_path):
    path = tmp_path / ".env"
    path.write_text("SECRET_KEY=mine\nDATABASE_URL=postgres://x@db/prod\n")
    done = _ensure_env(path)
    assert done.returncode == 0
    assert "left unchanged" in done.stdout and "neither" not in done.stdout
    assert path.read_text() == "SECRET_KEY=mine\nDATABASE_URL=postgres://x@db/prod\n"

    path.write_text("LOG_LEVEL=DEBUG\n")  # an .env without a key: say why commands will still fail
    done = _ensure_env(path)
    assert "left unchanged" in done.stdout and "neither SECRET_KEY nor DEBUG=1" in done.stdout
    assert path.read_text() == "LOG_LEVEL=DEBUG\n"


def test_ensure_env_refuses_unknown_arguments(tmp_path):
    done = subprocess.run(
        [sys.executable, str(ENSURE_ENV), "--force"], capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 2 and "ensure_env.py [PATH]" in done.stderr


@pytest.mark.django_db(transaction=True)
def test_the_readme_commands_work_after_make_run_in_a_new_shell(tmp_path, sandbox, database_url):
    dotenv = tmp_path / ".env"
    env = _clean_env(
        ENV_FILE=str(dotenv),
        DATABASE_URL=database_url,
        ETELECOM_BASE_URL=sandbox.url,
        ETELECOM_API_KEY=DEFAULT_API_KEY,
        ETELECOM_PAGE_SIZE="100",
    )
    before = _manage("sync_hotlines", "--help", env=env)
    assert before.returncode != 0 and "Set the SECRET_KEY environment variable" in before.stderr  # the bug

    assert _ensure_env(dotenv).returncode == 0  # what `make run` does first
    assert _manage("etelecom_sandbox", "--help", env=env).returncode == 0
    migrated = _manage("migrate", "--no-input", "-v", "0", env=env)
    assert migrated.returncode == 0, migrated.stderr
    synced = _manage("sync_hotlines", env=env)
    assert synced.returncode == 0, synced.stderr
    assert "default: ok pages=3 created=230" in synced.stdout

    created = _manage("create_user", "ana", "--role", "Viewer", "--no-input", env=env)
    assert created.returncode == 0, created.stderr
    assert "Created the user “ana” with the role Viewer." in created.stdout
    assert re.search(r"^Password: \S{16} \(shown only this once\)$", created.stdout, re.M)
    unknown = _manage("create_user", "bao", "--role", "Boss", "--no-input", env=env)
    assert unknown.returncode == 1 and "Unknown role “Boss”" in unknown.stderr and "Viewer" in unknown.stderr


def test_the_suite_keeps_production_settings_when_a_development_env_exists(tmp_path):
    dotenv = tmp_path / ".env"
    assert _ensure_env(dotenv).returncode == 0
    env = _clean_env(ENV_FILE=str(dotenv), DJANGO_SETTINGS_MODULE="etelecom_admin.test_settings")
    shown = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.DEBUG, settings.SECURE_HSTS_SECONDS)"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert shown.stdout.strip() == "False 31536000", shown.stderr
