"""`manage.py sync_hotlines`: a summary line per connection, a progress bar on a terminal, plain
lines otherwise, and a non-zero exit with the reason when a sync fails."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hotlines.choices import SyncTrigger
from hotlines.management.commands import sync_hotlines
from hotlines.models import Hotline, SyncRun
from hotlines.services.sync import sync_run_start

pytestmark = pytest.mark.django_db(transaction=True)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_summary_line(connection, capsys):
    call_command("sync_hotlines")
    out = capsys.readouterr().out
    assert "default: ok pages=5 created=230 updated=0 removed=0 unchanged=0 seconds=" in out
    assert out.rstrip().endswith("tenants: pages=1 created=11 updated=0 removed=0 unchanged=0")
    assert "\r" not in out  # not a terminal: no bar


def test_schedule_trigger_is_recorded(connection):
    call_command("sync_hotlines", "--trigger", "schedule")
    assert SyncRun.objects.get().trigger == SyncTrigger.SCHEDULE


def test_progress_bar_on_a_terminal(connection, sandbox, first_sync, monkeypatch):
    monkeypatch.setattr(sync_hotlines, "TTY_EVERY", 0)  # draw at every page
    out = Terminal()
    call_command("sync_hotlines", stdout=out)
    text = out.getvalue()
    assert "\r\033[K" in text  # redrawn in place
    assert "default: [" in text and "of ~230 hotlines" in text  # the last sync's count as the estimate
    assert "█" in text
    assert text.rsplit("\r\033[K", 1)[1].startswith("default: ok pages=5 created=0 updated=0 removed=0 unchanged=230")


def test_plain_lines_when_not_a_terminal(connection, sandbox, monkeypatch):
    monkeypatch.setattr(sync_hotlines, "PLAIN_EVERY", 0)
    out = io.StringIO()
    call_command("sync_hotlines", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("default: tenants: page 1, 11 fetched")  # the tenant list comes first
    assert lines[1].startswith("default: page 1, 50 hotlines fetched")  # no estimate yet: a count
    assert all("\r" not in line and "\033" not in line for line in lines)
    assert lines[-1].startswith("default: ok pages=5")


def test_no_progress_option(connection, sandbox, monkeypatch):
    monkeypatch.setattr(sync_hotlines, "TTY_EVERY", 0)
    out = Terminal()
    call_command("sync_hotlines", "--no-progress", stdout=out)
    assert "\r" not in out.getvalue()


def test_fails_with_one_line_reason(connection, sandbox, first_sync):
    connection.api_key = "wrong"
    connection.save()
    with pytest.raises(CommandError) as info:
        call_command("sync_hotlines")
    message = str(info.value)
    assert message == ("Sync failed. default: eTelecom rejected the API key (401 unauthenticated): invalid token")
    assert Hotline.objects.filter(is_removed=False).count() == 230


def test_skips_a_connection_already_syncing(connection, capsys):
    sync_run_start(connection=connection, trigger=SyncTrigger.BUTTON)
    with pytest.raises(CommandError, match="is already running since"):
        call_command("sync_hotlines")
    assert "default: skipped." in capsys.readouterr().err
    assert SyncRun.objects.count() == 1


def test_no_connection(db):
    with pytest.raises(CommandError, match="No active eTelecom connection"):
        call_command("sync_hotlines")


def test_env_credentials_define_the_default_connection(db, sandbox, settings):
    settings.ETELECOM_BASE_URL = sandbox.url
    settings.ETELECOM_API_KEY = "sandbox-key"
    call_command("sync_hotlines")
    assert Hotline.objects.count() == 230
