"""A running sync's estimate (command line and page) when the data grew past the last run's total:
never "171,400 of ~4,999", never a bar sitting at 99%."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from hotlines.choices import SyncStatus, SyncTrigger
from hotlines.management.commands import sync_hotlines
from hotlines.models import SyncRun
from hotlines.services.sync import hotlines_sync, sync_run_start

from ..conftest import make_user

LINE = re.compile(r"([\d,]+) of ~([\d,]+) hotlines")


@pytest.mark.django_db(transaction=True)
def test_the_command_drops_the_estimate_when_the_data_grew(connection, sandbox, monkeypatch):
    assert hotlines_sync(connection=connection).fetched == 230  # the estimate of the next run
    sandbox.dataset.reset(size=460, seed=8)
    monkeypatch.setattr(sync_hotlines, "PLAIN_EVERY", 0)  # a line at every page
    out = io.StringIO()
    call_command("sync_hotlines", stdout=out)
    lines = out.getvalue().splitlines()
    estimated = [tuple(int(n.replace(",", "")) for n in m.groups()) for m in map(LINE.search, lines) if m]
    assert estimated and all(fetched < expected == 230 for fetched, expected in estimated)
    assert any(line.startswith("default: page 9, 450 hotlines fetched") for line in lines)  # a plain count
    assert not any("99%" in line for line in lines)
    assert lines[-1].startswith("default: ok pages=10")


@pytest.mark.django_db
def test_the_page_drops_the_estimate_when_the_data_grew(client, django_user_model, connection, sandbox):
    assert hotlines_sync(connection=connection).fetched == 230
    client.force_login(make_user(django_user_model, "ops", "hotlines.view_syncrun", "hotlines.run_sync"))
    run = sync_run_start(connection=connection, trigger=SyncTrigger.COMMAND)
    url = reverse("hotlines:sync-progress", args=[run.pk])

    SyncRun.objects.filter(pk=run.pk).update(status=SyncStatus.RUNNING, pages=3, fetched=150)
    page = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'value="65"' in page and "About 65% of the 230 hotlines the last sync found." in page

    SyncRun.objects.filter(pk=run.pk).update(pages=3_428, fetched=171_400)
    page = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "171,400 hotlines fetched so far" in page
    assert 'max="100"' not in page and 'value="99"' not in page and "the last sync found" not in page
    assert '<progress aria-label="Sync progress"></progress>' in page  # indeterminate, not stuck at 99%
