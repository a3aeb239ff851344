"""The file formats: CSV and JSON as streams of bytes, Excel through XlsxWriter's constant-memory mode.

Writers take plain value tuples (never model instances) and hold one batch of rows at a time.

Formula injection (OWASP "CSV injection") is a CSV problem: a spreadsheet guesses each CSV field's
type, and runs one starting with `=` as a formula. So CSV text that could be taken for a formula
gets a leading `'`. An .xlsx states each cell's type, and a string cell is never evaluated, so its
text is written exactly as received: a prefix there would only corrupt the data.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime, tzinfo
from itertools import batched
from operator import methodcaller
from typing import IO, Any

import xlsxwriter
from django.utils.translation import gettext as _

from ...choices import HotlineStatus, Network
from .columns import BOOL, DATETIME, INTEGER, NETWORK, STATUS, ExportColumn

BATCH_ROWS = 2000
# Excel's sheet holds 1,048,576 rows; the first is the header.
XLSX_ROWS_PER_SHEET = 1_048_575
# OWASP "CSV injection": a spreadsheet may run a cell that starts with one of these.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
CSV_BOM = "\ufeff"
XLSX_DATETIME = "yyyy-mm-dd hh:mm:ss"
# Column widths in characters: at least the header (plus room for the filter button), at most
# this, so that one 10 KB description does not make a column screens wide (its text still wraps
# nowhere and stays whole in the cell).
XLSX_MAX_WIDTH = 60
XLSX_FILTER_BUTTON = 3

Row = tuple[Any, ...]
Progress = Callable[[int], None]


def neutralise(value: str) -> str:
    """The text, prefixed with a single quote when a spreadsheet could take it for a formula."""
    if value and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _text(value: Any) -> str:
    return "" if value is None else neutralise(str(value))


_formula_like = methodcaller("startswith", FORMULA_TRIGGERS)
Column = Sequence[Any]


def _safe_texts(values: Column) -> Column:
    """A column of text made safe; untouched (no copy) in the usual case where nothing needs it."""
    try:
        if not any(map(_formula_like, values)):
            return values
    except AttributeError:  # a None among them
        pass
    return [_text(value) for value in values]


def _exact_texts(values: Column) -> Column:
    """A column of text as it is (None as empty): for string cells, which are never evaluated."""
    if None not in values:
        return values
    return ["" if value is None else str(value) for value in values]


def _batch_converter(
    columns: list[ExportColumn], *, tz: tzinfo, datetime_as: str, local_dates: bool = False
) -> Callable[[Sequence[Row]], list[Column]]:
    """Turn a batch of value tuples into spreadsheet columns: labels in the active language, Yes/No,
    wall-clock times in the configured zone, text made safe for CSV (exact for Excel: see above).

    It works column by column with C-level `map`s rather than a Python call per cell: a batch's
    column rarely holds a None or a formula-like text, and then no cell is touched one by one."""
    yes_no = {True: _("Yes"), False: _("No"), None: ""}
    labels = {
        STATUS: {value: str(label) for value, label in HotlineStatus.choices},
        NETWORK: {value: str(label) for value, label in Network.choices},
    }
    to_local = methodcaller("astimezone", tz)
    # Excel has no time zones: the wall-clock time in the configured zone, as shown on screen.
    naive = methodcaller("replace", tzinfo=None)
    # isoformat is two to three times faster than strftime, for the same "YYYY-MM-DD HH:MM:SS".
    as_text = methodcaller("isoformat", " ", "seconds")

    def dates(values: Column) -> Column:
        if local_dates:  # the database already gave the wall-clock time, as text or as a naive datetime
            return values
        if None in values:
            moments = [None if value is None else naive(to_local(value)) for value in values]
            return moments if datetime_as == "excel" else ["" if m is None else as_text(m) for m in moments]
        moments = map(naive, map(to_local, values))
        return list(moments if datetime_as == "excel" else map(as_text, moments))

    texts = _exact_texts if datetime_as == "excel" else _safe_texts

    def labelled(table: dict[str, str]) -> Callable[[Column], Column]:
        # Known values by their label; others as received (made safe in CSV).
        return lambda values: texts(list(map(table.get, values, values)))

    def booleans(values: Column) -> Column:
        return list(map(yes_no.__getitem__, values))

    def integers(values: Column) -> Column:
        # Counts the dashboard keeps (a tenant's hotlines): numbers in Excel, their digits in CSV.
        return values if datetime_as == "excel" else ["" if value is None else str(value) for value in values]

    converters: list[Callable[[Column], Column]] = []
    for column in columns:
        if column.kind in labels:
            converters.append(labelled(labels[column.kind]))
        elif column.kind == BOOL:
            converters.append(booleans)
        elif column.kind == DATETIME:
            converters.append(dates)
        elif column.kind == INTEGER:
            converters.append(integers)
        else:
            converters.append(texts)

    def convert(batch: Sequence[Row]) -> list[Column]:
        values = zip(*batch, strict=True)
        return [convert(column) for convert, column in zip(converters, values, strict=True)]

    return convert


def _rows(columns: list[Column]) -> Iterator[Row]:
    return zip(*columns, strict=True)


def _counted(rows: Iterable[Row], progress: Progress | None) -> Iterator[list[Row]]:
    """Rows in batches, reporting the running count after each batch."""
    done = 0
    for batch in batched(rows, BATCH_ROWS):
        yield batch
        done += len(batch)
        if progress is not None:
            progress(done)


def csv_chunks(
    rows: Iterable[Row],
    columns: list[ExportColumn],
    *,
    tz: tzinfo,
    local_dates: bool = False,
    progress: Progress | None = None,
) -> Iterator[bytes]:
    """CSV in UTF-8 with a BOM (so Excel reads Vietnamese right), human headers, one chunk per batch.
    With `local_dates`, date columns arrive already as "YYYY-MM-DD HH:MM:SS" in the zone."""
    convert = _batch_converter(columns, tz=tz, datetime_as="text", local_dates=local_dates)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(CSV_BOM)
    writer.writerow([column.title for column in columns])
    yield buffer.getvalue().encode()
    for batch in _counted(rows, progress):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(_rows(convert(batch)))
        yield buffer.getvalue().encode()


def _api_datetime(value: datetime | None) -> str | None:
    """RFC 3339 in UTC with a `Z`, as the Partner API sends it."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def json_chunks(
    rows: Iterable[Row], columns: list[ExportColumn], *, progress: Progress | None = None
) -> Iterator[bytes]:
    """A JSON array of objects named as the API names them (IDs as strings), one object a line."""
    names = [column.api_name for column in columns]
    dates = [index for index, column in enumerate(columns) if column.kind == DATETIME]
    encode = json.JSONEncoder(ensure_ascii=False).encode
    first = True
    yield b"["
    for batch in _counted(rows, progress):
        objects = []
        for row in batch:
            values = list(row)
            for index in dates:
                values[index] = _api_datetime(values[index])
            objects.append(encode(dict(zip(names, values, strict=True))))
        yield (("\n" if first else ",\n") + ",\n".join(objects)).encode()
        first = False
    yield b"\n]\n"


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
