"""Exports of the hotline and tenant lists (CSV, Excel, JSON): exactly the rows shown, streamed, safe, audited.

- `selection`: which rows (the list's filterset and sort) and the file name;
- `columns`: which fields, with their headers and API names;
- `writers`: CSV and JSON, in constant memory, with formula-looking cells neutralised (CSV);
- `xlsx`: Excel, a workbook streamed part by part, its sheet row by row;
- `limits`: streamed in the request or written by the worker (expected time, slots);
- `records`: the only writer of an export's record (status, progress, file), and cleanup;
- `streaming`: the rows read from the database and written, to the response or a file;
- `runs`: `export_start` (recorded, audited, streamed or queued) and the worker's `export_run`.
"""

from .columns import (
    ALL,
    API_COLUMNS,
    COLUMN_CHOICES,
    COLUMNS,
    TENANT_COLUMNS,
    VISIBLE,
    export_api_columns,
    export_column_titles,
    export_columns_for,
)
from .limits import (
    EXPORT_RATES,
    QUEUED_LARGE,
    QUEUED_SITE_LIMIT,
    QUEUED_USER_LIMIT,
    export_direct_slots,
    export_expected_seconds,
    export_is_direct,
)
from .records import IN_FLIGHT, CleanupResult, export_cleanup, export_is_available
from .runs import export_run, export_start
from .selection import (
    COLUMNS_PARAM,
    EXPORT_PARAM,
    EXPORT_TOKEN_PARAM,
    ExportSelection,
    export_filename,
    export_params,
    export_selection,
)
from .streaming import CONTENT_TYPES, ExportJob, export_stream
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
    "IN_FLIGHT",
    "QUEUED_LARGE",
    "QUEUED_SITE_LIMIT",
    "QUEUED_USER_LIMIT",
    "TENANT_COLUMNS",
    "VISIBLE",
    "CleanupResult",
    "ExportJob",
    "ExportSelection",
    "export_api_columns",
    "export_cleanup",
    "export_column_titles",
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
    "neutralise",
]
