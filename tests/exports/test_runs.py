"""Exports over EXPORT_MAX_SYNC_ROWS: queued, written by the task with progress, downloadable by the
person who asked only, for a limited time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection as db_connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hotlines.models import AuditAction, AuditEntry, ExportRecord, ExportStatus, Hotline
from hotlines.services.exports import export_run, records, writers
from tests.conftest import make_user

from .conftest import ASKED_NETWORKS, LIST, api_object, ask, body, read_csv, read_json, read_xlsx, spreadsheet_cell

pytestmark = pytest.mark.django_db


def download(client, record) -> bytes:
    response = client.get(reverse("hotlines:export-download", args=[record.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{record.filename}"'
    return body(response)


def expected_hotlines():
    return Hotline.objects.filter(is_removed=False, network__in=ASKED_NETWORKS).order_by("hotline", "id")


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_a_large_export_runs_in_the_background_and_reads_back_exactly(exporter_client, hostile_synced, immediate, fmt):
    record = ask(exporter_client, _export=fmt, sort="hotline")
    record.refresh_from_db()
    want = list(expected_hotlines())
    assert len(want) > 100
    assert record.background and record.status == ExportStatus.DONE, record.error
    assert record.row_count == record.progress == len(want)
    assert record.expires_at - record.finished_at == timedelta(hours=2)
    assert AuditEntry.objects.get(action=AuditAction.EXPORT).details["background"] is True
    data = download(exporter_client, record)
    columns = [
        "hotline", "name", "network", "status", "is_free_charge", "tenant_name", "created_at", "updated_at",
    ]  # fmt: skip
    if fmt == "csv":
        rows = read_csv(data)[1:]
        assert rows == [[spreadsheet_cell(c, h, dates_as_text=True) for c in columns] for h in want]
    elif fmt == "xlsx":
        [(_, rows)] = read_xlsx(data)
        cells = [[spreadsheet_cell(c, h, dates_as_text=False) for c in columns] for h in want]
        assert rows[1:] == [[None if cell == "" else cell for cell in row] for row in cells]
    else:
        assert read_json(data) == [api_object(h) for h in want]


def test_the_progress_page_polls_until_the_file_is_ready(exporter_client, hostile_synced, queued, monkeypatch):
    record = ask(exporter_client, _export="csv", sort="name")
    assert record.status == ExportStatus.PENDING and record.task_id
    page = exporter_client.get(reverse("hotlines:export-detail", args=[record.pk]))
    assert page.status_code == 200
    assert "htmx-2.min.js" in page.text and "<script>" not in page.text
    progress = exporter_client.get(reverse("hotlines:export-progress", args=[record.pk]))
    assert 'hx-trigger="every 2s"' in progress.text and "export-download" not in progress.text
    # A download asked for before it is ready leads back to the progress page.
    early = exporter_client.get(reverse("hotlines:export-download", args=[record.pk]))
    assert early.status_code == 302 and early.url == reverse("hotlines:export-detail", args=[record.pk])

    # The worker: progress is committed as it goes, batch after batch.
    monkeypatch.setattr(writers, "BATCH_ROWS", 40)
    monkeypatch.setattr(records, "PROGRESS_EVERY", 0)
    with CaptureQueriesContext(db_connection) as queries:
        export_run(export_id=record.pk)
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE") and "progress" in q["sql"]]
    assert len(updates) >= 4

    done = exporter_client.get(reverse("hotlines:export-progress", args=[record.pk]))
    assert "hx-trigger" not in done.text and reverse("hotlines:export-download", args=[record.pk]) in done.text
    record.refresh_from_db()
    assert len(read_csv(download(exporter_client, record))) == record.row_count + 1


def test_only_the_person_who_asked_can_see_or_download_it(
    exporter_client, hostile_synced, immediate, django_user_model
):
    record = ask(exporter_client, _export="json")
    names = ("hotlines:export-detail", "hotlines:export-progress", "hotlines:export-download")
    urls = [reverse(name, args=[record.pk]) for name in names]
    other = make_user(django_user_model, "other", "hotlines.view_hotline", "hotlines.export_hotline")
    root = django_user_model.objects.create_superuser(username="boss", password="pw", email="b@example.com")
    for user in (other, root):
        client = Client()
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
    anonymous = Client()
    assert all(anonymous.get(url).status_code == 302 for url in urls)
    assert exporter_client.get(urls[2]).status_code == 200


def test_a_user_who_lost_the_permission_gets_no_file(exporter_client, exporter, hostile_synced, queued):
    record = ask(exporter_client, _export="csv")
    exporter.user_permissions.clear()
    export_run(export_id=record.pk)
    record.refresh_from_db()
    assert record.status == ExportStatus.FAILED and not record.file


def test_small_exports_stay_immediate(exporter_client, hostile_synced, small_limit):
    response = exporter_client.get(LIST, {"_export": "csv", "network": "viettel"})
    assert response.status_code == 200 and response.streaming
    body(response)
    assert not ExportRecord.objects.get().background


def test_the_page_says_when_no_worker_picked_the_export_up(exporter_client, hostile_synced, queued):
    record = ask(exporter_client, _export="csv")
    url = reverse("hotlines:export-progress", args=[record.pk])
    assert "No worker has started" not in exporter_client.get(url).text
    ExportRecord.objects.filter(pk=record.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    assert "No worker has started this export yet" in exporter_client.get(url).text
