"""Who may export, what each export leaves behind (record and audit), and the admins' list of them."""

from __future__ import annotations

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections
from django.test import Client
from django.urls import reverse

from hotlines.models import AuditAction, AuditEntry, ExportRecord, ExportStatus
from hotlines.views.exports import describe_columns, describe_filters
from hotlines.views.hotlines import HotlineListView
from tests.conftest import make_user

from .conftest import body, read_csv

pytestmark = pytest.mark.django_db

LIST = reverse("hotlines:list")


def test_anonymous_is_sent_to_sign_in(client, hostile_synced):
    response = client.get(LIST, {"_export": "csv"})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not ExportRecord.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_without_the_export_permission_the_url_answers_403(viewer_client, hostile_synced, fmt):
    response = viewer_client.get(LIST, {"_export": fmt, "status": "P"})
    assert response.status_code == 403
    assert not ExportRecord.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_without_the_export_permission_there_is_no_export_button(viewer_client, hostile_synced):
    response = viewer_client.get(LIST)
    assert response.status_code == 200
    assert 'id="export-menu"' not in response.text


def test_the_export_menu_carries_the_list_query(exporter_client, hostile_synced):
    response = exporter_client.get(LIST, {"status": ["P", "N"], "q": "tổng", "sort": "-name", "page": "2"})
    html = response.text
    assert 'id="export-menu"' in html
    menu = html[html.index('id="export-menu"') :]
    menu = menu[: menu.index("</details>")]
    for name, value in (("status", "P"), ("status", "N"), ("q", "tổng"), ("sort", "-name")):
        assert f'<input type="hidden" name="{name}" value="{value}">' in menu
    assert 'name="page"' not in menu
    for fmt in ("csv", "xlsx", "json"):
        assert f'name="_export" value="{fmt}"' in menu
    assert 'name="_columns" value="all"' in menu


def test_an_unknown_format_is_a_bad_request(exporter_client, hostile_synced):
    assert exporter_client.get(LIST, {"_export": "pdf"}).status_code == 400
    assert not ExportRecord.objects.exists()


def test_each_export_is_recorded_and_audited(exporter_client, exporter, hostile_synced):
    response = exporter_client.get(LIST, {"_export": "csv", "network": "viettel", "sort": "name", "page": "2"})
    rows = read_csv(body(response))
    record = ExportRecord.objects.get()
    assert record.user == exporter and record.username == "exporter"
    assert record.format == "csv" and not record.background
    assert record.filters == {"network": ["viettel"], "sort": ["name"]}
    assert record.columns[:2] == ["hotline", "name"]
    assert record.status == ExportStatus.DONE and record.row_count == len(rows) - 1 and record.finished_at
    assert response["Content-Disposition"] == f'attachment; filename="{record.filename}"'
    assert record.filename.startswith("hotlines-default-network-viettel-") and record.filename.endswith(".csv")
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.actor == exporter and entry.target == f"export #{record.pk}"
    assert entry.details["format"] == "csv" and entry.details["rows"] == record.row_count
    assert entry.details["filters"] == record.filters and entry.details["background"] is False


def test_an_abandoned_download_is_recorded_as_interrupted(rf, exporter, hostile_synced):
    # The view itself (the test client would wrap the stream and read it to the end).
    request = rf.get(LIST, {"_export": "json"})
    request.user, request.session = exporter, {}
    response = HotlineListView.as_view()(request)
    next(iter(response.streaming_content))
    request_finished.disconnect(close_old_connections)  # keep the test's connection, as the test client does
    try:
        response.close()  # the browser went away
    finally:
        request_finished.connect(close_old_connections)
    record = ExportRecord.objects.get()
    assert record.status == ExportStatus.FAILED and "interrupted" in record.error


def test_excel_export_is_recorded_with_its_row_count(exporter_client, hostile_synced):
    response = exporter_client.get(LIST, {"_export": "xlsx", "status": "P"})
    assert response.status_code == 200 and body(response).startswith(b"PK")
    record = ExportRecord.objects.get()
    assert record.status == ExportStatus.DONE and record.row_count > 0


def test_admins_list_every_export(exporter_client, django_user_model, hostile_synced):
    body(exporter_client.get(LIST, {"_export": "csv", "status": "P"}))
    body(exporter_client.get(LIST, {"_export": "json"}))
    assert exporter_client.get(reverse("hotlines:export-list")).status_code == 403

    admin = make_user(django_user_model, "auditor", "hotlines.view_exportrecord")
    client = Client()
    client.force_login(admin)
    response = client.get(reverse("hotlines:export-list"))
    assert response.status_code == 200
    assert response.text.count("exporter") >= 2
    assert "Status: Enabled" in response.text
    filtered = client.get(reverse("hotlines:export-list"), {"format": "json"})
    assert list(filtered.context["table"].data) == list(ExportRecord.objects.filter(format="json"))


def test_my_exports_shows_only_mine(exporter_client, django_user_model, hostile_synced):
    body(exporter_client.get(LIST, {"_export": "csv"}))
    other = make_user(django_user_model, "other", "hotlines.view_hotline", "hotlines.export_hotline")
    other_client = Client()
    other_client.force_login(other)
    response = other_client.get(reverse("hotlines:export-mine"))
    assert response.status_code == 200
    assert list(response.context["table"].data) == []
    mine = exporter_client.get(reverse("hotlines:export-mine"))
    assert len(mine.context["table"].data) == 1


def test_recorded_queries_read_in_words():
    text = describe_filters({"status": ["P", "Z"], "network": ["viettel"], "q": ["tổng"], "sort": ["-name"], "x": "1"})
    assert text == "Status: Enabled, New · Network: Viettel · Search: tổng · Sorted by: Name (descending) · x: 1"
    assert describe_filters({}) == "all hotlines"
    assert describe_columns(["hotline", "upstream_connection_id", "gone"]) == "Hotline, Connection ID, gone"
