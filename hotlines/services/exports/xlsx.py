"""Excel as a stream: an .xlsx (a zip of XML parts) written part by part, its sheet row by row, so
that the first bytes leave at once and memory holds one batch of rows.

XlsxWriter, which wrote our workbooks before, keeps each sheet in a temporary file until the
workbook is closed and only then zips it: a 200,000-row file waited 9-12 s for its first byte,
at ~20,000 rows/s. Here the sheet's XML goes straight into a deflate stream (zipfile writes
to a pipe with data descriptors, as streaming writers do), each batch of rows is turned into XML
column by column with C-level joins, and a column whose texts need no escaping (nearly all of
them) is never escaped value by value. The cells mean exactly what XlsxWriter's did (inline
string cells, its `_xHHHH_` escapes for control characters, its 32,767-unit cut, its date serials
and number format), so a file reads back cell for cell the same (tests/exports/test_xlsx.py).

The one thing a stream cannot know is the widest value yet to come: a sheet's column widths come
before its rows, so they are sized on the rows seen when the sheet starts (its first batch).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime, tzinfo
from itertools import repeat
from xml.sax.saxutils import escape, quoteattr

from .columns import DATETIME, INTEGER, ExportColumn
from .writers import Progress, Row, _batch_converter, _counted

# Excel's sheet holds 1,048,576 rows; the first is the header.
XLSX_ROWS_PER_SHEET = 1_048_575
XLSX_DATETIME = "yyyy-mm-dd hh:mm:ss"
# Column widths in characters: at least the header (plus room for the filter button), at most
# this, so that one 10 KB description does not make a column screens wide.
XLSX_MAX_WIDTH = 60
XLSX_FILTER_BUTTON = 3
# Excel's limit for one cell's text, in UTF-16 units.
XLSX_MAX_TEXT = 32_767
# Deflate's fastest level: a sheet's XML is very repetitive, and level 1 packs it within a fifth
# of the default 6 (10.7 MB against 9.0 at 200,000 rows) with the whole writer a quarter faster.
COMPRESS_LEVEL = 1
EXCEL_EPOCH = datetime(1899, 12, 31)
SECONDS_A_DAY = 86_400
# Cell styles, as indexed in STYLES below: the header's, then dates'.
HEADER_STYLE, DATE_STYLE = 1, 2

# Only these make a text need more than copying into the XML: markup characters, control
# characters (written as `_xHHHH_`, as Excel does), text that looks like such an escape (its
# underscore is escaped so that it reads back as written: any "_x" sends a column the slow way),
# the two non-characters, and leading or trailing whitespace (kept by `xml:space="preserve"`).
# `\x1e` separates the values of a column joined for one search (it is whitespace for `\s`,
# hence `[^\S\x1e]`).
SEPARATOR = "\x1e"
# Each search starts with a literal or a plain class, which the regex engine scans for quickly.
_CARE_CHARACTERS = re.compile(r"[&<>\x00-\x08\x0b-\x1d\x1f\ufffe\uffff]")
_SPACE_AT_SEPARATOR = re.compile(r"\x1e(?:(?=[^\S\x1e])|(?<=[^\S\x1e]\x1e))")
_ESCAPE_LIKE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")
_EDGE_SPACE = re.compile(r"^\s|\s$")

Column = Sequence


def _cut(text: str) -> str:
    """The text within Excel's 32,767 UTF-16 units, never splitting a character beyond U+FFFF."""
    if len(text) <= XLSX_MAX_TEXT // 2 or len(text.encode("utf-16-le", "surrogatepass")) // 2 <= XLSX_MAX_TEXT:
        return text
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > XLSX_MAX_TEXT:
            return text[:index]
    return text


def _string_cell(text: str) -> str:
    """The inline string element of one text that needs care (see _NEEDS_CARE)."""
    text = _ESCAPE_LIKE.sub(r"_x005F\1", _cut(text))
    text = _CONTROL.sub(lambda match: f"_x{ord(match.group(1)):04X}_", text)
    text = escape(text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_"))
    space = ' xml:space="preserve"' if _EDGE_SPACE.search(text) else ""
    return f"<is><t{space}>{text}</t></is>"


def _text_cells(letter: str, values: Column, numbers: list[str]) -> list[str]:
    """A column of text cells; "" or None writes no cell. The whole column is searched once: in
    the usual case no value needs care and each is copied into the XML as it is."""
    joined = SEPARATOR.join(values)
    plain = (
        joined.count(SEPARATOR) == len(values) - 1  # no value holds the separator itself
        and not _CARE_CHARACTERS.search(joined)
        and "_x" not in joined
        and not joined[:1].isspace()
        and not joined[-1:].isspace()
        and not _SPACE_AT_SEPARATOR.search(joined)
        and max(map(len, values), default=0) <= XLSX_MAX_TEXT // 2
    )
    if plain:
        return [
            f'<c r="{letter}{number}" t="inlineStr"><is><t>{value}</t></is></c>' if value else ""
            for number, value in zip(numbers, values, strict=True)
        ]
    return [
        f'<c r="{letter}{number}" t="inlineStr">{_string_cell(value)}</c>' if value else ""
        for number, value in zip(numbers, values, strict=True)
    ]


def excel_serial(moment: datetime) -> float:
    """A naive wall-clock time as Excel's serial number of days (its 1900 leap-year bug included),
    computed as XlsxWriter computed it, to the same float."""
    delta = moment - EXCEL_EPOCH
    serial = delta.days + (float(delta.seconds) + float(delta.microseconds) / 1e6) / SECONDS_A_DAY
    if moment.isocalendar() == (1900, 1, 1):
        serial -= 1  # Excel's day 1 is 1900-01-01, a day after its epoch counts it
    if serial > 59:
        serial += 1
    return serial


def _date_cells(letter: str, values: Column, numbers: list[str]) -> list[str]:
    # excel_serial inlined (a call per cell costs a third of the column): any time before 1900-03-01
    # (serial 60 and below, where Excel's calendar is odd) takes the function itself.
    serials = [
        None
        if value is None
        else serial + 1
        if (serial := (delta := value - EXCEL_EPOCH).days + (delta.seconds + delta.microseconds / 1e6) / SECONDS_A_DAY)
        > 60
        else excel_serial(value)
        for value in values
    ]
    return [
        "" if serial is None else f'<c r="{letter}{number}" s="{DATE_STYLE}"><v>{serial:.16G}</v></c>'
        for number, serial in zip(numbers, serials, strict=True)
    ]


def _number_cells(letter: str, values: Column, numbers: list[str]) -> list[str]:
    return [
        "" if value is None or value == "" else f'<c r="{letter}{number}"><v>{value:.16G}</v></c>'
        for number, value in zip(numbers, values, strict=True)
    ]


def column_letter(index: int) -> str:
    """Excel's name of a zero-based column: A, B, …, Z, AA, …"""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _stored_width(characters: int) -> float:
    """A width in characters as Excel stores it (Calibri 11: 7-pixel digits, 5 pixels of padding)."""
    return int((int(characters * 7 + 0.5) + 5) / 7 * 256) / 256


def quote_sheet(name: str) -> str:
    """A sheet's name as a formula reference spells it: quoted unless it is a plain word."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", name):
        return name
    return "'" + name.replace("'", "''") + "'"


class _Pipe:
    """Where the zip is written: collects what zipfile wrote since the last `take`. It has no `seek`
    nor `tell`, so zipfile writes each part's sizes after its data, as a stream must."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


class _Sheet:
    """One worksheet being written: its name, its rows so far, and the XML before and after them."""

    def __init__(self, name: str, columns: list[ExportColumn], widths: list[int], *, first: bool) -> None:
        self.name = name
        self.rows = 0
        self.last_letter = column_letter(len(columns) - 1)
        cols = "".join(
            f'<col min="{at}" max="{at}" width="{_stored_width(min(width, XLSX_MAX_WIDTH) + 1)}" customWidth="1"/>'
            for at, width in enumerate(widths, start=1)
        )
        header = "".join(
            f'<c r="{column_letter(at)}1" s="{HEADER_STYLE}" t="inlineStr">{_string_cell(column.title)}</c>'
            for at, column in enumerate(columns)
        )
        selected = ' tabSelected="1"' if first else ""
        self.head = (
            XML_DECLARATION + f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
            '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
            f'<sheetViews><sheetView{selected} workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft"/></sheetView></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData><row r="1">{header}</row>'
        )

    @property
    def filter_range(self) -> str:
        return f"$A$1:${self.last_letter}${self.rows + 1}"

    def tail(self) -> str:
        autofilter = f'<autoFilter ref="A1:{self.last_letter}{self.rows + 1}"/>' if self.rows else ""
        return (
            f"</sheetData>{autofilter}"
            '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
            '<pageSetup paperSize="9" fitToHeight="0" orientation="landscape"/>'
            # Text that looks like a number (hotlines, IDs) is meant as text: no green triangles.
            '<ignoredErrors><ignoredError sqref="A1:XFD1048576" numberStoredAsText="1"/></ignoredErrors>'
            "</worksheet>"
        )


def xlsx_chunks(
    rows: Iterable[Row],
    columns: list[ExportColumn],
    *,
    tz: tzinfo,
    sheet_title: str,
    rows_per_sheet: int | None = None,
    local_dates: bool = False,
    progress: Progress | None = None,
) -> Iterator[bytes]:
    """An .xlsx as bytes, streamed: text stays text (exactly as received), dates are dates, numbers
    numbers, no formula cell is ever written. The header is frozen and filterable, columns are as
    wide as the first batch's values (within bounds), the sheet prints landscape, one page wide,
    its header on every page. Rows beyond a sheet's capacity continue on a new sheet. With
    `local_dates`, date columns arrive already as naive wall-clock times in the zone."""
    rows_per_sheet = rows_per_sheet or XLSX_ROWS_PER_SHEET
    convert = _batch_converter(columns, tz=tz, datetime_as="excel", local_dates=local_dates)
    letters = [column_letter(at) for at in range(len(columns))]
    writers: list[Callable[[str, Column, list[str]], list[str]]] = [
        _date_cells if column.kind == DATETIME else _number_cells if column.kind == INTEGER else _text_cells
        for column in columns
    ]
    measured = [column.kind not in (DATETIME, INTEGER) for column in columns]
    widths = [
        max(len(column.title) + XLSX_FILTER_BUTTON, column.width if column.kind == DATETIME else 0)
        for column in columns
    ]
    pipe = _Pipe()
    archive = zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL)
    for name, text in STATIC_PARTS.items():
        archive.writestr(name, text)
    archive.writestr("docProps/core.xml", _core(datetime.now(UTC)))
    yield pipe.take()  # the download starts before the first row is read

    sheets: list[_Sheet] = []
    sheet, stream = None, None

    def close_sheet() -> None:
        stream.write(sheet.tail().encode())
        stream.close()

    def open_sheet():
        nonlocal sheet, stream
        name = sheet_title if not sheets else f"{sheet_title} ({len(sheets) + 1})"
        sheet = _Sheet(name[:31], columns, widths, first=not sheets)
        sheets.append(sheet)
        # A sheet's size is unknown until written: zip64 sizes, as a 10 KB-text sheet can pass 4 GB.
        stream = archive.open(f"xl/worksheets/sheet{len(sheets)}.xml", "w", force_zip64=True)
        stream.write(sheet.head.encode())

    for batch in _counted(rows, progress):
        values = convert(batch)
        for at, column in enumerate(values):
            if measured[at]:
                widths[at] = max(widths[at], max(map(len, column), default=0))
        start = 0
        while start < len(batch):
            if sheet is None or sheet.rows >= rows_per_sheet:
                if sheet is not None:
                    close_sheet()
                open_sheet()
            end = min(len(batch), start + rows_per_sheet - sheet.rows)
            first = sheet.rows + 2  # row 1 is the header
            numbers = list(map(str, range(first, first + end - start)))
            cells = [
                write(letter, column[start:end] if start or end < len(batch) else column, numbers)
                for write, letter, column in zip(writers, letters, values, strict=True)
            ]
            opens = [f'<row r="{number}">' for number in numbers]
            stream.write("".join(map("".join, zip(opens, *cells, repeat("</row>")))).encode())
            sheet.rows += end - start
            start = end
        yield pipe.take()
    if sheet is None:
        open_sheet()
    close_sheet()
    archive.writestr("xl/workbook.xml", _workbook(sheets))
    archive.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(sheets)))
    archive.writestr("[Content_Types].xml", _content_types(len(sheets)))
    archive.close()
    yield pipe.take()


def xlsx_write(target, rows: Iterable[Row], columns: list[ExportColumn], **options) -> int:
    """Write the streamed workbook into a binary file; returns the row count."""
    total = 0
    progress = options.pop("progress", None)

    def count(done: int) -> None:
        nonlocal total
        total = done
        if progress is not None:
            progress(done)

    for chunk in xlsx_chunks(rows, columns, progress=count, **options):
        target.write(chunk)
    return total


# --- the workbook's fixed parts -----------------------------------------------------------------

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_TYPES = "application/vnd.openxmlformats-officedocument"

STYLES = (
    XML_DECLARATION + f'<styleSheet xmlns="{MAIN_NS}">'
    f'<numFmts count="1"><numFmt numFmtId="164" formatCode="{XLSX_DATETIME}"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
    '</fill><fill><patternFill patternType="solid"><fgColor rgb="FFF0F2F5"/><bgColor indexed="64"/>'
    "</patternFill></fill></fills>"
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border><border><left/><right/>'
    '<top/><bottom style="thin"><color auto="1"/></bottom><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
STATIC_PARTS = {
    "_rels/.rels": XML_DECLARATION + f'<Relationships xmlns="{PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
    'core-properties" Target="docProps/core.xml"/>'
    f'<Relationship Id="rId3" Type="{REL_NS}/extended-properties" Target="docProps/app.xml"/>'
    "</Relationships>",
    "docProps/app.xml": XML_DECLARATION
    + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>Microsoft Excel</Application></Properties>",
    "xl/styles.xml": STYLES,
}


def _core(now: datetime) -> str:
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        XML_DECLARATION + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified></cp:coreProperties>'
    )


def _workbook(sheets: list[_Sheet]) -> str:
    entries = "".join(
        f'<sheet name={quoteattr(sheet.name)} sheetId="{at}" r:id="rId{at}"/>'
        for at, sheet in enumerate(sheets, start=1)
    )
    names = []
    for at, sheet in enumerate(sheets):
        reference = escape(quote_sheet(sheet.name))
        if sheet.rows:
            names.append(
                f'<definedName name="_xlnm._FilterDatabase" localSheetId="{at}" hidden="1">'
                f"{reference}!{sheet.filter_range}</definedName>"
            )
        names.append(f'<definedName name="_xlnm.Print_Titles" localSheetId="{at}">{reference}!$1:$1</definedName>')
    return (
        XML_DECLARATION + f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        f"<bookViews><workbookView/></bookViews><sheets>{entries}</sheets>"
        f"<definedNames>{''.join(names)}</definedNames></workbook>"
    )


def _workbook_rels(count: int) -> str:
    sheets = "".join(
        f'<Relationship Id="rId{at}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{at}.xml"/>'
        for at in range(1, count + 1)
    )
    styles = f'<Relationship Id="rId{count + 1}" Type="{REL_NS}/styles" Target="styles.xml"/>'
    return XML_DECLARATION + f'<Relationships xmlns="{PKG_REL_NS}">{sheets}{styles}</Relationships>'


def _content_types(count: int) -> str:
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{at}.xml" ContentType="{OFFICE_TYPES}.spreadsheetml.worksheet+xml"/>'
        for at in range(1, count + 1)
    )
    return (
        XML_DECLARATION + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{OFFICE_TYPES}.spreadsheetml.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{OFFICE_TYPES}.spreadsheetml.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        f'<Override PartName="/docProps/app.xml" ContentType="{OFFICE_TYPES}.extended-properties+xml"/>'
        f"{sheets}</Types>"
    )
