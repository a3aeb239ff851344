"""Exports of the tenant list: the rows of the view, every format read back, the same rules,
permission, record and audit as the hotline list's."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hotlines.models import AuditAction, AuditEntry, ExportKind, ExportRecord, ExportStatus
from hotlines.services.exports import export_run
from hotlines.views.exports import describe_columns, describe_filters
from tests.conftest import make_user
from tests.exports.conftest import HOSTILE_NAMES, body, read_csv, read_json, read_xlsx, safe
from tests.factories import ConnectionFactory, TenantFactory

LIST = reverse("hotlines:tenant-list")
TENANT_API_FIELDS = [
    "id", "name", "domain", "owner_id", "status", "connection_id", "connection_method", "created_at", "updated_at",
]  # fmt: skip


@pytest.fixture
def tenants(db):
    """Tenants with hostile names and domains, counted hotlines, a removed one."""
    account = ConnectionFactory(name="default")
    made = [
        TenantFactory(connection=account, name=name, domain=f"=cmd{i}.vn" if i % 2 else f"d{i}.vn",
                      status="PN"[i % 2], hotline_count=i, enabled_count=i // 2, created_at=timezone.now())
        for i, name in enumerate(name for name in HOSTILE_NAMES if "\x00" not in name)  # PostgreSQL refuses NUL
    ]  # fmt: skip
    made.append(TenantFactory(connection=account, name="Công ty ABC", domain="abc.vn", status="Z", hotline_count=7))
    TenantFactory(connection=account, name="Đã xoá", is_removed=True)
    return made


def view_rows(client, **query) -> list:
    """The rows the list shows for this query, every page, in order."""
    response = client.get(LIST, {**query, "per_page": 200})
    return [row.record for row in response.context["table"].paginated_rows]


def test_without_the_export_permission_403(viewer_client, tenants):
    assert viewer_client.get(LIST, {"_export": "csv"}).status_code == 403
    assert 'name="_export"' not in viewer_client.get(LIST).text
    assert not ExportRecord.objects.exists()


def test_the_menu_exports_this_list(exporter_client, tenants):
    html = exporter_client.get(LIST, {"status": "P"}).text
    assert f'action="{LIST}"' in html
    assert "tenants of this view" in html


def test_csv_holds_exactly_the_filtered_sorted_rows_made_safe(exporter_client, exporter, tenants):
    query = {"status": ["P", "N"], "sort": "-hotline_count"}
    expected = view_rows(exporter_client, **query)
    rows = read_csv(body(exporter_client.get(LIST, {**query, "_export": "csv", "_columns": "all"})))
    header, data = rows[0], rows[1:]
    assert header[:5] == ["Tenant ID", "Name", "Domain", "Owner ID", "Status"]
    assert [row[0] for row in data] == [tenant.etelecom_id for tenant in expected]
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in data}
    for tenant in expected:
        cells = by_id[tenant.etelecom_id]
        assert cells["Name"] == safe(tenant.name)
        assert cells["Domain"] == safe(tenant.domain)
        assert cells["Hotlines"] == str(tenant.hotline_count)
        assert cells["Status"] in ("Enabled", "Disabled")
    for row in data:  # no cell a spreadsheet would run
        assert not any(cell[:1] in ("=", "+", "-", "@") for cell in row), row
    record = ExportRecord.objects.get()
    assert record.kind == ExportKind.TENANTS and record.status == ExportStatus.DONE
    assert record.row_count == len(expected) and record.filters == {"status": ["P", "N"], "sort": ["-hotline_count"]}
    assert record.filename.startswith("tenants-default-status-p-n-")
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.actor == exporter and entry.details["list"] == "tenants" and entry.details["rows"] == len(expected)


def test_excel_keeps_text_exact_and_counts_as_numbers(exporter_client, tenants):
    expected = view_rows(exporter_client, sort="name")
    [(title, rows)] = read_xlsx(body(exporter_client.get(LIST, {"sort": "name", "_export": "xlsx"})))
    assert title == "Tenants"
    header, data = rows[0], rows[1:]
    assert header[0] == "Name" and "Hotlines" in header
    names = [row[0] for row in data]
    assert names == [tenant.name for tenant in expected]
    assert '=cmd|" /C calc"!A0' in names  # written as received: a string cell is never evaluated
    hotlines = header.index("Hotlines")
    assert {row[hotlines] for row in data} <= {tenant.hotline_count for tenant in expected}
    assert all(isinstance(row[hotlines], int | float) for row in data)


def test_json_holds_the_api_objects(exporter_client, tenants):
    expected = view_rows(exporter_client, q="cong")
    objects = read_json(body(exporter_client.get(LIST, {"q": "cong", "_export": "json"})))
    assert [list(obj) for obj in objects] == [TENANT_API_FIELDS] * len(expected)
    assert [obj["id"] for obj in objects] == [tenant.etelecom_id for tenant in expected] == [tenants[-1].etelecom_id]
    everything = read_json(body(exporter_client.get(LIST, {"_export": "json"})))
    assert {obj["name"] for obj in everything} >= {'=cmd|" /C calc"!A0', "<r><t>markup</t></r>"}  # data, as received


def test_a_large_tenant_export_goes_to_the_worker_and_is_written_there(exporter_client, tenants, settings, tmp_path):
    settings.EXPORT_MAX_SYNC_ROWS = 3
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    response = exporter_client.get(LIST, {"_export": "csv", "status": "P"})
    record = ExportRecord.objects.get()
    assert response.status_code == 302 and response.url == reverse("hotlines:export-detail", args=[record.pk])
    assert record.background and record.kind == ExportKind.TENANTS
    assert "tenants is being prepared" in exporter_client.get(response.url).text
    export_run(export_id=record.pk)
    record.refresh_from_db()
    assert record.status == ExportStatus.DONE
    rows = read_csv(record.file.open("rb").read())
    assert len(rows) - 1 == record.row_count == len(view_rows(exporter_client, status="P"))


def test_the_exports_pages_say_what_was_exported(exporter_client, django_user_model, tenants):
    body(exporter_client.get(LIST, {"_export": "csv", "status": "P", "sort": "-hotline_count"}))
    mine = exporter_client.get(reverse("hotlines:export-mine")).text
    # (PostgreSQL's jsonb keeps the recorded parameters in its own key order.)
    assert "Tenants" in mine and "Status: Enabled" in mine and "Sorted by: Hotlines (descending)" in mine
    auditor = Client()
    auditor.force_login(make_user(django_user_model, "auditor", "hotlines.view_exportrecord"))
    assert "Tenants" in auditor.get(reverse("hotlines:export-list")).text


def test_recorded_tenant_exports_read_in_words():
    assert describe_filters({}, "tenants") == "all tenants"
    assert describe_filters({"q": ["abc"], "include_removed": ["on"]}, "tenants") == "Search: abc · Removed tenants: on"
    assert describe_columns(["name", "hotline_count", "gone"], "tenants") == "Name, Hotlines, gone"
