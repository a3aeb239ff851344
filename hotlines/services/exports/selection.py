"""Which rows an export holds: exactly the list's (hotlines or tenants), built with its filterset
and its table's sort."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django.utils.text import slugify

from ... import listing, selectors
from ...ids import id_parse
from ...list_counts import hotline_list_counts
from ...models import Connection, ExportKind, Hotline, Tenant
from ...normalize import fold
from ...tenant_list_page import tenant_list_request

EXPORT_PARAM = "_export"
COLUMNS_PARAM = "_columns"
# A token the export form sends with JS on, echoed in a cookie once the file starts (see views).
EXPORT_TOKEN_PARAM = "_export_token"  # noqa: S105 - a parameter name, not a secret
# Query parameters that change how the list is shown, not which rows it holds.
NOT_SELECTING = {
    EXPORT_PARAM,
    COLUMNS_PARAM,
    EXPORT_TOKEN_PARAM,
    "page",
    "per_page",
    "columns",
    "back",
    "csrfmiddlewaretoken",
    "view",  # the open saved view: its columns are the visible ones (export_start reads it)
}
FILENAME_FILTERS_MAX = 60
FILENAME_CONNECTION_MAX = 40


def export_params(query: QueryDict) -> dict[str, list[str]]:
    """The query parameters that decide the rows (filters, search, sort), to record and replay."""
    return {key: values for key, values in query.lists() if key not in NOT_SELECTING and any(values)}


def params_query(params: dict[str, list[str]]) -> QueryDict:
    """A recorded parameter dict back into the QueryDict the filterset and table read."""
    query = QueryDict(mutable=True)
    for key, values in params.items():
        query.setlist(key, [str(value) for value in (values if isinstance(values, list) else [values])])
    return query


@dataclass(frozen=True, slots=True)
class ExportSelection:
    """The list's rows for a query (filtered, searched, sorted: all pages), the columns it shows,
    and how many rows that is (the list's own cached count where it has one)."""

    queryset: QuerySet[Hotline] | QuerySet[Tenant]
    columns: list[str]
    count: Callable[[], int]


def export_selection(
    *,
    params: dict[str, list[str]],
    user=None,
    request: HttpRequest | None = None,
    kind: str = ExportKind.HOTLINES,
    columns: list[str] | None = None,
) -> ExportSelection:
    """What the list of this kind shows for these parameters and this user, read the way the list
    reads them (same filterset, same table ordering with its id tie-breaker, same column choice;
    `columns`, an open saved view's, stand in for the person's own as on the hotline list)."""
    preference = selectors.user_preference_get(user=user) if user is not None else None
    if kind == ExportKind.TENANTS:
        asked = tenant_list_request(params_query(params), preference=preference, request=request)
        return ExportSelection(queryset=asked.queryset, columns=list(asked.columns), count=asked.queryset.count)
    asked = listing.list_request(params_query(params), preference=preference, request=request, columns=columns)

    def count() -> int:
        # The count the list showed for the same filters and data, cached per data version: a
        # COUNT of ten million rows took seconds before the download could start.
        return hotline_list_counts(filterset=asked.filterset, version=selectors.data_version())[0]

    return ExportSelection(queryset=asked.queryset, columns=list(asked.columns), count=count)


def _connection_label(params: dict[str, list[str]]) -> str:
    # Recorded as received: name only the accounts the list's filter applied (well-formed IDs of
    # active accounts); it ignored the others, so the file holds every account's rows then.
    asked = [pk for pk in map(id_parse, params.get("connection", [])) if pk is not None]
    applied = list(Connection.objects.filter(pk__in=asked, is_active=True).values_list("pk", flat=True))
    names = Connection.objects.filter(pk__in=applied) if applied else Connection.objects.all()
    names = list(names.order_by("name").values_list("name", flat=True)[:3])
    if len(names) == 1:
        return names[0]
    return "all-connections" if not applied else "-".join(names)


def _slug(text: str, limit: int) -> str:
    return slugify(fold(text))[:limit].strip("-")


def export_filename(
    *, params: dict[str, list[str]], extension: str, at: datetime | None = None, kind: str = ExportKind.HOTLINES
) -> str:
    """`<kind>-<connection>-<filters>-<YYYYMMDD-HHMM>.<ext>` (`hotlines-…`, `tenants-…`): ASCII,
    bounded, says what it holds."""
    at = timezone.localtime(at or timezone.now(), timezone.get_default_timezone())
    filters = "_".join(
        f"{key}-{'-'.join(str(v) for v in values)}"
        for key, values in sorted(params.items())
        if key not in ("sort", "connection")
    )
    parts = [
        ExportKind(kind).value,
        _slug(_connection_label(params), FILENAME_CONNECTION_MAX) or "connection",
        _slug(filters, FILENAME_FILTERS_MAX) or "all",
        f"{at:%Y%m%d-%H%M}",
    ]
    return f"{'-'.join(parts)}.{extension}"
