"""The writers on their own: neutralising, odd values, and text that tries to break out of a cell."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import openpyxl
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter

from hotlines.services.exports import neutralise
from hotlines.services.exports.columns import ALL_COLUMNS, API_COLUMNS, COLUMNS
from hotlines.services.exports.writers import csv_chunks, json_chunks
from hotlines.services.exports.xlsx import xlsx_write

from .conftest import read_csv, read_json, read_xlsx

SAIGON = ZoneInfo("Asia/Ho_Chi_Minh")
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.text())
def test_neutralise_only_ever_prefixes_a_quote(text):
    out = neutralise(text)
    if text.startswith(TRIGGERS):
        assert out == "'" + text
    else:
        assert out == text
    assert not out.startswith(TRIGGERS)


TEXT_COLUMNS = [COLUMNS["name"], COLUMNS["description"], COLUMNS["hotline"]]
NASTY = [
    ("<r><t>x</t></r>", '<r></is></c><c t="str"><f>1+1</f><v>2</v></c><c><is></r>', "0123"),
    ("", "", ""),
    ("\x00\x01\x1f bell \x07", "_x0041_ stays literal", "+84 90 123"),
    ("a" * 40_000, "ends with space ", " 9"),
]


def test_text_that_tries_to_leave_its_cell_reads_back_as_itself():
    handle = io.BytesIO()
    xlsx_write(handle, NASTY, TEXT_COLUMNS, tz=SAIGON, sheet_title="T")
    [(_, rows)] = read_xlsx(handle.getvalue())
    want = [[v or None for v in row] for row in NASTY]  # string cells are never evaluated: text as is
    want[3][0] = "a" * 32_767  # Excel's limit for one cell
    assert rows[1:] == want
    csv_rows = read_csv(b"".join(csv_chunks(iter(NASTY), TEXT_COLUMNS, tz=SAIGON)))
    assert csv_rows[1:] == [[neutralise(v) for v in row] for row in NASTY]


def test_missing_values_and_unknown_enum_values():
    columns = [COLUMNS[key] for key in ("status", "network", "is_free_charge", "created_at")]
    moment = datetime(2026, 1, 31, 17, 30, 5, tzinfo=UTC)
    rows = [("P", "viettel", True, moment), ("", "", None, None), ("=X", "satellite", False, None)]
    csv_rows = read_csv(b"".join(csv_chunks(iter(rows), columns, tz=SAIGON)))
    assert csv_rows[1:] == [
        ["Enabled", "Viettel", "Yes", "2026-02-01 00:30:05"],  # in the configured time zone
        ["", "", "", ""],
        ["'=X", "satellite", "No", ""],
    ]
    handle = io.BytesIO()
    xlsx_write(handle, rows, columns, tz=SAIGON, sheet_title="T")
    [(_, xlsx_rows)] = read_xlsx(handle.getvalue())
    assert xlsx_rows[1:] == [
        ["Enabled", "Viettel", "Yes", datetime(2026, 2, 1, 0, 30, 5)],
        [None, None, None, None],
        ["=X", "satellite", "No", None],
    ]


def test_json_is_the_api_object_with_rfc3339_utc_times():
    moment = datetime(2026, 1, 31, 17, 30, 5, 120000, tzinfo=SAIGON)
    row = ("1150000000000230658", "0901", "Tên", "", "viettel", "P", None, "", "", "", moment, None)
    [item] = read_json(b"".join(json_chunks(iter([row]), list(API_COLUMNS))))
    assert item["id"] == "1150000000000230658" and item["is_free_charge"] is None
    assert item["created_at"] == "2026-01-31T10:30:05.120000Z" and item["updated_at"] is None
    assert read_json(b"".join(json_chunks(iter([]), list(API_COLUMNS)))) == []


def test_every_column_has_a_header_and_a_known_kind():
    assert len({column.key for column in ALL_COLUMNS}) == len(ALL_COLUMNS)
    assert [column.api_name for column in API_COLUMNS] == [
        "id", "hotline", "name", "description", "network", "status", "is_free_charge", "connection_id",
        "connection_method", "owner_id", "created_at", "updated_at",
    ]  # fmt: skip


def test_xlsx_columns_fit_their_content_and_print_one_page_wide():
    columns = [COLUMNS[key] for key in ("hotline", "name", "is_free_charge", "description", "created_at")]
    long_name = "Tổng đài chăm sóc khách hàng Công ty CP Dược phẩm Ánh Dương"
    rows = [
        ("19006868", long_name, True, "x" * 5_000, datetime(2026, 1, 31, 17, 30, 5, tzinfo=UTC)),
        ("0901234567", "Ngắn", None, "", None),
    ]
    handle = io.BytesIO()
    xlsx_write(handle, rows, columns, tz=SAIGON, sheet_title="T")
    sheet = openpyxl.load_workbook(io.BytesIO(handle.getvalue())).active
    width = {column.key: sheet.column_dimensions[get_column_letter(at + 1)].width for at, column in enumerate(columns)}
    assert width["name"] >= len(long_name)  # the whole name shows, not cut at a fixed width
    assert width["is_free_charge"] >= len("Free of charge") + 2  # the header and its filter button
    assert width["hotline"] >= len("0901234567")
    assert 19 <= width["created_at"] <= 30
    assert width["description"] <= 62  # a 5,000-character text does not make a column screens wide
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight == 0  # 1 is the default
    assert sheet.print_title_rows.replace("$", "") == "1:1"  # the header row on every printed page
