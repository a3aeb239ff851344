"""Every export read back (csv, openpyxl, json) and compared row for row with the filtered, sorted
queryset, built here independently of the exporter."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext

from hotlines.models import Hotline, UserPreference
from hotlines.services.exports import writers, xlsx

from .conftest import (
    API_FIELDS,
    HOSTILE_DESCRIPTION,
    HOSTILE_NAMES,
    LIST,
    api_object,
    body,
    read_csv,
    read_json,
    read_xlsx,
    safe,
    spreadsheet_cell,
)

pytestmark = pytest.mark.django_db

DEFAULT_COLUMNS = [
    "hotline", "name", "network", "status", "is_free_charge", "tenant_name", "created_at", "updated_at",
]  # fmt: skip
DEFAULT_HEADERS = [
    "Hotline", "Name", "Network", "Status", "Free of charge", "Tenant name", "Created", "Updated",
]  # fmt: skip
ALL_COLUMNS = [
    "etelecom_id", "hotline", "name", "description", "network", "status", "is_free_charge", "upstream_connection_id",
    "connection_method", "tenant_name", "tenant_domain", "owner_id", "created_at", "updated_at", "connection",
    "last_changed_at", "is_removed",
]  # fmt: skip

# (query, the same rows and order written directly with the ORM)
QUERIES = {
    "default": ({}, lambda qs: qs.filter(is_removed=False).order_by("-created_at", "-id")),
    "status-network-sort": (
        {"status": ["P", "N"], "network": ["viettel", "mobifone"], "sort": "-name"},
        lambda qs: qs.filter(is_removed=False, status__in=["P", "N"], network__in=["viettel", "mobifone"]).order_by(
            "-name", "-id"
        ),
    ),
    "sorted-by-number": ({"sort": "hotline"}, lambda qs: qs.filter(is_removed=False).order_by("hotline", "id")),
    "free-updated": (
        {"free": "yes", "sort": "-updated_at"},
        lambda qs: qs.filter(is_removed=False, is_free_charge=True).order_by("-updated_at", "-id"),
    ),
    "with-removed": (
        {"include_removed": "on", "sort": "owner_id"},
        lambda qs: qs.order_by("owner_id", "id"),
    ),
}


def expected(case: str) -> list[Hotline]:
    rows = list(QUERIES[case][1](Hotline.objects.select_related("connection")))
    assert rows, "a query with no rows proves nothing"
    return rows


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json; charset=utf-8",
}


def export(client, case: str, fmt: str) -> bytes:
    """The file for one of QUERIES, after checking its type."""
    response = client.get(LIST, {**QUERIES[case][0], "_export": fmt})
    assert response.status_code == 200, response
    assert response.streaming  # the workbook too, as a FileResponse
    assert response["Content-Type"] == CONTENT_TYPES[fmt]
    return body(response)


@pytest.mark.parametrize("case", list(QUERIES))
def test_csv_holds_exactly_the_rows_in_order(exporter_client, hostile_synced, case):
    rows = read_csv(export(exporter_client, case, "csv"))
    assert rows[0] == DEFAULT_HEADERS
    assert rows[1:] == [
        [spreadsheet_cell(column, hotline, dates_as_text=True) for column in DEFAULT_COLUMNS]
        for hotline in expected(case)
    ]


@pytest.mark.parametrize("case", list(QUERIES))
def test_xlsx_holds_exactly_the_rows_in_order(exporter_client, hostile_synced, case):
    [(title, rows)] = read_xlsx(export(exporter_client, case, "xlsx"))
    assert title == "Hotlines"
    assert rows[0] == DEFAULT_HEADERS
    want = [
        [spreadsheet_cell(column, hotline, dates_as_text=False) for column in DEFAULT_COLUMNS]
        for hotline in expected(case)
    ]
    # An empty cell reads back as None.
    assert rows[1:] == [[None if cell == "" else cell for cell in row] for row in want]


@pytest.mark.parametrize("case", list(QUERIES))
def test_json_holds_the_api_objects_in_order(exporter_client, hostile_synced, case):
    objects = read_json(export(exporter_client, case, "json"))
    assert objects == [api_object(hotline) for hotline in expected(case)]
    assert all(list(item) == API_FIELDS for item in objects)
    assert all(isinstance(item[key], str) for item in objects for key in ("id", "connection_id", "owner_id"))


def test_hostile_cells_are_neutralised_in_csv_and_exact_in_excel_and_json(exporter_client, hostile_synced):
    names = set(Hotline.objects.values_list("name", flat=True))
    stored = [name.replace("\x00", "") for name in HOSTILE_NAMES]
    assert set(stored) <= names, "the sync kept the hostile names (NUL removed)"
    query = {"sort": "name", "_columns": "all"}

    csv_rows = read_csv(body(exporter_client.get(LIST, {**query, "_export": "csv"})))
    [(_, xlsx_rows)] = read_xlsx(body(exporter_client.get(LIST, {**query, "_export": "xlsx"})))
    json_rows = read_json(body(exporter_client.get(LIST, {**query, "_export": "json"})))
    name_at = ALL_COLUMNS.index("name")
    csv_names = {row[name_at] for row in csv_rows[1:]}
    xlsx_names = {row[name_at] for row in xlsx_rows[1:]}
    for name in stored:
        assert ("'" + name if name[0] in "=+-@\t\r" else name) in csv_names, name
        # A string cell is never evaluated: the .xlsx keeps the text exactly (read_xlsx has
        # already checked that no cell of it is a formula).
        assert name in xlsx_names, name
        assert name in {item["name"] for item in json_rows}
    assert "'=HYPERLINK(" in "".join(csv_names)
    assert not any(isinstance(name, str) and name.startswith("'") for name in xlsx_names)
    # Nothing left in any CSV field that a spreadsheet would start to evaluate.
    for row in csv_rows[1:]:
        for cell in row:
            assert not (isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r", "\0"))
    # The description and the unknown enum values that start like formulas too.
    description_at = ALL_COLUMNS.index("description")
    assert "'" + HOSTILE_DESCRIPTION in {row[description_at] for row in csv_rows[1:]}
    assert HOSTILE_DESCRIPTION in {row[description_at] for row in xlsx_rows[1:]}
    network_at, status_at = ALL_COLUMNS.index("network"), ALL_COLUMNS.index("status")
    assert any(row[network_at] == "'=2+5" and row[status_at] == "'@X" for row in csv_rows[1:])
    assert any(row[network_at] == "=2+5" and row[status_at] == "@X" for row in xlsx_rows[1:])
    assert any(item["network"] == "=2+5" for item in json_rows)


def test_excel_keeps_numbers_and_ids_as_text_and_dates_as_dates(exporter_client, hostile_synced):
    response = exporter_client.get(LIST, {"_export": "xlsx", "_columns": "all", "sort": "hotline"})
    [(_, rows)] = read_xlsx(body(response))
    header = rows[0]
    first = dict(zip(header, rows[1], strict=True))
    assert first["Hotline"] == "0012345678"  # the leading zeros survive
    for row in rows[1:]:
        cells = dict(zip(header, row, strict=True))
        assert isinstance(cells["Hotline ID"], str) and re.fullmatch(r"\d{19}", cells["Hotline ID"])
        assert isinstance(cells["Hotline"], str)
        assert cells["Owner ID"] is None or isinstance(cells["Owner ID"], str)
        assert cells["Created"] is None or isinstance(cells["Created"], datetime)


def test_csv_is_utf8_with_bom_and_keeps_vietnamese(exporter_client, hostile_synced):
    data = body(exporter_client.get(LIST, {"_export": "csv"}))
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "Tổng đài" in text
    assert not text.startswith("\ufeff")


def test_all_fields_choice(exporter_client, hostile_synced):
    rows = read_csv(body(exporter_client.get(LIST, {"_export": "csv", "_columns": "all", "network": "viettel"})))
    assert rows[0] == [
        "Hotline ID", "Hotline", "Name", "Description", "Network", "Status", "Free of charge", "Connection ID",
        "Connection method", "Tenant name", "Tenant domain", "Owner ID", "Created", "Updated", "eTelecom account",
        "Last changed", "Removed",
    ]  # fmt: skip
    want = Hotline.objects.filter(is_removed=False, network="viettel").order_by("-created_at", "-id")
    assert rows[1:] == [[spreadsheet_cell(c, h, dates_as_text=True) for c in ALL_COLUMNS] for h in want]


def test_the_columns_a_person_chose_are_exported_in_their_order(exporter_client, exporter, hostile_synced):
    UserPreference.objects.create(user=exporter, columns=["status", "description", "etelecom_id"])
    rows = read_csv(body(exporter_client.get(LIST, {"_export": "csv", "sort": "status"})))
    assert rows[0] == ["Hotline", "Status", "Description", "Hotline ID"]
    want = Hotline.objects.filter(is_removed=False).order_by("status", "id")
    columns = ["hotline", "status", "description", "etelecom_id"]
    assert rows[1:] == [[spreadsheet_cell(c, h, dates_as_text=True) for c in columns] for h in want]
    # JSON stays the API's object whatever the list shows.
    assert list(read_json(body(exporter_client.get(LIST, {"_export": "json"})))[0]) == API_FIELDS


def test_more_rows_than_a_sheet_holds_continue_on_new_sheets(exporter_client, hostile_synced, monkeypatch):
    monkeypatch.setattr(xlsx, "XLSX_ROWS_PER_SHEET", 100)
    sheets = read_xlsx(body(exporter_client.get(LIST, {"_export": "xlsx", "sort": "name"})))
    assert [title for title, _ in sheets] == ["Hotlines", "Hotlines (2)", "Hotlines (3)"]
    assert [len(rows) for _, rows in sheets] == [101, 101, 30]  # each with its header
    assert all(rows[0] == DEFAULT_HEADERS for _, rows in sheets)
    joined = [row for _, rows in sheets for row in rows[1:]]
    want = Hotline.objects.filter(is_removed=False).order_by("name", "id")
    assert [row[0] for row in joined] == [h.hotline for h in want]


def test_streams_in_batches_of_plain_values(exporter_client, hostile_synced, monkeypatch):
    monkeypatch.setattr(writers, "BATCH_ROWS", 50)
    with CaptureQueriesContext(db_connection) as queries:
        response = exporter_client.get(LIST, {"_export": "csv"})
        chunks = list(response.streaming_content)
    assert len(chunks) == 1 + 5  # the header, then 229 rows in batches of 50
    selects = [q["sql"] for q in queries.captured_queries if "hotlines_hotline" in q["sql"] and "SELECT" in q["sql"]]
    # No model instances: only the exported columns are read (never the stored payload).
    assert selects and not any('"raw"' in sql for sql in selects)


def test_empty_result_still_has_headers(exporter_client, hostile_synced):
    rows = read_csv(body(exporter_client.get(LIST, {"_export": "csv", "q": "no such hotline anywhere"})))
    assert rows == [DEFAULT_HEADERS]
    assert read_json(body(exporter_client.get(LIST, {"_export": "json", "q": "no such hotline anywhere"}))) == []
    [(_, xlsx_rows)] = read_xlsx(body(exporter_client.get(LIST, {"_export": "xlsx", "q": "no such hotline"})))
    assert xlsx_rows == [DEFAULT_HEADERS]


def test_safe_helper_matches_the_rule():
    assert safe("=1") == "'=1" and safe("a=1") == "a=1" and safe("") == ""
