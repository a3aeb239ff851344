"""The Excel writer used before the streamed workbook (hotlines/services/exports/xlsx.py):
XlsxWriter's constant-memory mode, kept for the export bench to measure beside ours in the same
run, and for the tests that compare the two files cell by cell. Not used by the application."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import tzinfo
from typing import IO

import xlsxwriter

from hotlines.services.exports.columns import DATETIME, INTEGER, ExportColumn
from hotlines.services.exports.writers import Progress, Row, _batch_converter, _counted, _rows
from hotlines.services.exports.xlsx import XLSX_DATETIME, XLSX_FILTER_BUTTON, XLSX_MAX_WIDTH, XLSX_ROWS_PER_SHEET


def xlsx_write(
    target: str | IO[bytes],
    rows: Iterable[Row],
    columns: list[ExportColumn],
    *,
    tz: tzinfo,
    sheet_title: str,
    rows_per_sheet: int | None = None,
    local_dates: bool = False,
    progress: Progress | None = None,
) -> int:
    """Write an .xlsx row by row (constant memory); text stays text (exactly as received), dates are
    dates, no formula cell is ever written. Columns are as wide as their content (within bounds),
    and the sheet prints landscape, one page wide, its header row on every page. Rows beyond a
    sheet's capacity continue on a new sheet. With `local_dates`, date columns arrive already as
    naive wall-clock times in the zone. Returns the row count."""
    rows_per_sheet = rows_per_sheet or XLSX_ROWS_PER_SHEET
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "in_memory": False})
    header_format = workbook.add_format({"bold": True, "bg_color": "#F0F2F5", "bottom": 1})
    date_format = workbook.add_format({"num_format": XLSX_DATETIME})
    convert = _batch_converter(columns, tz=tz, datetime_as="excel", local_dates=local_dates)
    is_date = [column.kind == DATETIME for column in columns]
    is_number = [column.kind == INTEGER for column in columns]
    last_col = len(columns) - 1
    sheets = 0
    sheet = None
    row_index = rows_per_sheet  # forces a first sheet
    total = 0

    # Widths are known only once the rows are seen: XlsxWriter writes the columns' widths when the
    # workbook closes, so they can be set after the rows even in constant-memory mode.
    header_widths = [len(column.title) + XLSX_FILTER_BUTTON for column in columns]
    widths = [
        max(width, column.width if is_date[col] else 0)
        for col, (width, column) in enumerate(zip(header_widths, columns, strict=True))
    ]

    def finish(sheet, last_row: int) -> None:
        if last_row > 0:
            sheet.autofilter(0, 0, last_row, last_col)
        for col, width in enumerate(widths):
            sheet.set_column(col, col, min(width, XLSX_MAX_WIDTH) + 1)

    def new_sheet():
        nonlocal sheets
        sheets += 1
        name = sheet_title if sheets == 1 else f"{sheet_title} ({sheets})"
        sheet = workbook.add_worksheet(name[:31])
        sheet.freeze_panes(1, 0)
        # Text that looks like a number (hotlines, IDs) is meant as text: no green warning triangles.
        sheet.ignore_errors({"number_stored_as_text": "A1:XFD1048576"})
        # Printed: landscape, as wide as one page, the header row repeated on every page.
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(0)
        for col, column in enumerate(columns):
            sheet.write_string(0, col, column.title, header_format)
        return sheet

    try:
        for batch in _counted(rows, progress):
            converted = convert(batch)
            for col, values in enumerate(converted):
                if not is_date[col] and not is_number[col]:
                    widths[col] = max(widths[col], max(map(len, values), default=0))
            for row in _rows(converted):
                if row_index >= rows_per_sheet:
                    if sheet is not None:
                        finish(sheet, row_index)
                    sheet = new_sheet()
                    row_index = 0
                row_index += 1
                for col, cell in enumerate(row):
                    if cell is None or cell == "":
                        continue
                    if is_date[col]:
                        sheet.write_datetime(row_index, col, cell, date_format)
                    elif is_number[col]:
                        sheet.write_number(row_index, col, cell)
                    elif cell.startswith("<r>") and cell.endswith("</r>"):
                        # In constant-memory mode XlsxWriter copies such a string into the XML
                        # unescaped (it takes it for its own rich-string markup, so it could carry
                        # any XML, a formula included); as a rich string of plain fragments it is
                        # escaped and reads back as the same text.
                        sheet.write_rich_string(row_index, col, cell[:1], cell[1:2], cell[2:])
                    else:
                        sheet.write_string(row_index, col, cell)
            total += len(batch)
        if sheet is None:
            sheet = new_sheet()
            row_index = 0
        finish(sheet, row_index)
    finally:
        workbook.close()
    return total
