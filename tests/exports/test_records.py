"""An export's record through its life: asked twice while written, it is one; a task delivered
twice writes once; a file past its retention is deleted and an export no worker finished is failed,
while the record stays for the audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from hotlines.models import ExportRecord, ExportStatus
from hotlines.services.exports import export_cleanup, export_run

from .conftest import ask

pytestmark = pytest.mark.django_db


def test_an_expired_file_is_gone_and_cleaned_up(exporter_client, hostile_synced, immediate, media):
    record = ask(exporter_client, _export="csv")
    record.refresh_from_db()
    path = media / record.file.name
    assert path.exists()
    ExportRecord.objects.filter(pk=record.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = exporter_client.get(reverse("hotlines:export-download", args=[record.pk]))
    assert response.status_code == 410 and "no longer kept" in response.text
    call_command("cleanup_exports")
    record.refresh_from_db()
    assert not path.exists() and not record.file
    assert record.status == ExportStatus.DONE  # the record stays, for the audit


def test_cleanup_gives_up_on_exports_no_worker_finished(hostile_synced, exporter, queued):
    stuck = ExportRecord.objects.create(user=exporter, format="csv", status=ExportStatus.RUNNING, background=True)
    fresh = ExportRecord.objects.create(user=exporter, format="csv", status=ExportStatus.PENDING, background=True)
    ExportRecord.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - timedelta(hours=3))
    result = export_cleanup()
    assert result.abandoned == 1
    stuck.refresh_from_db(), fresh.refresh_from_db()
    assert stuck.status == ExportStatus.FAILED and fresh.status == ExportStatus.PENDING


def test_asking_twice_while_it_is_written_reuses_the_first(exporter_client, hostile_synced, queued):
    first = ask(exporter_client, _export="xlsx", sort="name")
    second = ask(exporter_client, _export="xlsx", sort="name")
    assert first.pk == second.pk and ExportRecord.objects.count() == 1
    other_format = ask(exporter_client, _export="csv", sort="name")
    assert other_format.pk != first.pk


def test_a_task_delivered_twice_writes_once(exporter_client, hostile_synced, queued):
    record = ask(exporter_client, _export="csv")
    export_run(export_id=record.pk)
    name = ExportRecord.objects.get(pk=record.pk).file.name
    export_run(export_id=record.pk)
    assert ExportRecord.objects.get(pk=record.pk).file.name == name
