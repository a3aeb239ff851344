"""The file formats: CSV and JSON as streams of bytes, and the batch conversion Excel shares (`xlsx`).

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
from typing import Any

from django.utils.translation import gettext as _

from ...choices import HotlineStatus, Network
from .columns import BOOL, DATETIME, INTEGER, NETWORK, STATUS, ExportColumn

BATCH_ROWS = 2000
# OWASP "CSV injection": a spreadsheet may run a cell that starts with one of these.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
CSV_BOM = "\ufeff"

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
