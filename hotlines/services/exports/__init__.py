"""Exports of the hotline list (CSV, Excel, JSON): exactly the rows shown, streamed, safe, audited.

- `selection`: which rows (the list's filterset and sort) and the file name;
- `columns`: which fields, with their headers and API names;
- `writers`: the formats, in constant memory, with formula-looking cells neutralised;
- `runs`: records, audit, streaming now or writing in the background, and cleanup.
"""

from .columns import ALL, API_COLUMNS, COLUMN_CHOICES, COLUMNS, VISIBLE, export_columns_for
from .runs import (
    CONTENT_TYPES,
    EXPORT_RATES,
    QUEUED_LARGE,
    QUEUED_SITE_LIMIT,
    QUEUED_USER_LIMIT,
    CleanupResult,
    ExportJob,
    export_cleanup,
    export_direct_slots,
    export_expected_seconds,
    export_is_available,
    export_is_direct,
    export_run,
    export_start,
    export_stream,
    export_xlsx_file,
)
from .selection import (
    COLUMNS_PARAM,
    EXPORT_PARAM,
    EXPORT_TOKEN_PARAM,
    ExportSelection,
    export_filename,
    export_params,
    export_selection,
)
from .writers import neutralise

__all__ = [
    "ALL",
    "API_COLUMNS",
    "COLUMNS",
    "COLUMNS_PARAM",
    "COLUMN_CHOICES",
    "CONTENT_TYPES",
    "EXPORT_PARAM",
    "EXPORT_RATES",
    "EXPORT_TOKEN_PARAM",
    "QUEUED_LARGE",
    "QUEUED_SITE_LIMIT",
    "QUEUED_USER_LIMIT",
    "VISIBLE",
    "CleanupResult",
    "ExportJob",
    "ExportSelection",
    "export_cleanup",
    "export_columns_for",
    "export_direct_slots",
    "export_expected_seconds",
    "export_filename",
    "export_is_available",
    "export_is_direct",
    "export_params",
    "export_run",
    "export_selection",
    "export_start",
    "export_stream",
    "export_xlsx_file",
    "neutralise",
]
