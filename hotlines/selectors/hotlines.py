"""Hotlines: the list's rows, one hotline, its status story and neighbours, the latest changes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from django.db.models import QuerySet

from ..choices import ChangeKind
from ..hotline_fields import DEFAULT_COLUMNS, FIELDS
from ..models import Hotline, HotlineChange
from .tenancy import OWNER_FIELDS

# The default columns' fields, and whether a row is removed (the number's cell says so).
LIST_FIELDS = (
    "id",
    *dict.fromkeys(path for name in DEFAULT_COLUMNS for path in FIELDS[name].query_paths),
    "is_removed",
)


def hotline_list(*, include_removed: bool = False, fields: Iterable[str] | None = None) -> QuerySet[Hotline]:
    """Hotlines for the list: only the columns it shows; removed ones only when asked."""
    fields = tuple(fields or LIST_FIELDS)
    qs = Hotline.objects.only(*fields)
    if any("__" in field for field in fields):
        qs = qs.select_related("connection")
    if not include_removed:
        qs = qs.filter(is_removed=False)
    return qs


class HotlineRow:
    """One row of the hotline list: the fields its columns show, as a Hotline's attributes, read
    as plain values (`hotline_rows`). A model instance per row (its `__init__` over every field,
    the deferred ones too) was about a quarter of the rows' query on a list page."""

    def __init__(self, values: dict) -> None:
        self.__dict__.update(values)

    def __repr__(self) -> str:
        return f"<HotlineRow {self.__dict__.get('id')}>"

    @property
    def pk(self) -> int:
        return self.id

    # The model's own, reading `status` and `network` as they do on a Hotline.
    status_label = Hotline.status_label
    network_label = Hotline.network_label


# What every row carries whatever its columns: its tenants are looked up by (account, owner), and
# a removed hotline says so.
ROW_FIELDS = ("id", *OWNER_FIELDS, "is_removed")


def hotline_rows(queryset: QuerySet[Hotline]) -> list[HotlineRow] | list[Hotline]:
    """The rows of `queryset` (filtered, ordered and sliced as a list page reads them) with the
    fields it was limited to (`hotline_list(fields=…)`, i.e. `.only()`), as HotlineRows: the
    same values, converted as the model's fields convert them, without making models. A queryset
    not limited to some fields gives its models."""
    names, deferring = queryset.query.deferred_loading
    if deferring or not names:
        return list(queryset)
    # A relation read through (`connection` of `connection__name`) is the holder of its fields,
    # not its ID (which `connection_id` carries).
    through = {path.split("__", 1)[0] for path in names if "__" in path}
    paths = [path for path in dict.fromkeys((*ROW_FIELDS, *names)) if path not in through]
    related = [(at, *path.split("__", 1)) for at, path in enumerate(paths) if "__" in path]
    plain = [(at, path) for at, path in enumerate(paths) if "__" not in path]
    rows = []
    for values in queryset.values_list(*paths):
        row = {path: values[at] for at, path in plain}
        for at, name, rest in related:  # `connection__name` as `row.connection.name`
            setattr(row.setdefault(name, SimpleNamespace()), rest, values[at])
        rows.append(HotlineRow(row))
    return rows


def hotline_get(*, pk: int) -> Hotline:
    """One hotline with its connection, for the detail page."""
    return Hotline.objects.select_related("connection").get(pk=pk)


def hotline_change_latest(*, limit: int = 10) -> list[HotlineChange]:
    """The latest recorded changes with their hotline (newest first; IDs grow with time, and the
    primary key serves the order without a sort)."""
    return list(
        HotlineChange.objects.select_related("hotline")
        .only("kind", "field", "old_value", "new_value", "changed_at", "sync_run_id", "hotline__hotline",
              "hotline__name", "hotline__is_removed")
        .order_by("-id")[:limit]
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class StatusPeriod:
    """A stretch of time a hotline spent in one status (`until` None: it still is).

    `first_seen`: `since` is when the dashboard first saw the hotline, not when the status was
    set (eTelecom does not say when that was)."""

    status: str
    since: datetime | None
    until: datetime | None
    first_seen: bool = False


@dataclass(frozen=True, slots=True)
class StatusStory:
    """What the detail page may honestly say about a hotline's status and changes: its periods
    (newest first) from the recorded status changes, and its last recorded change."""

    periods: list[StatusPeriod]
    first_seen_at: datetime
    # The last recorded change (a field, a removal, a reappearance); None: none since first seen.
    last_change_at: datetime | None

    @property
    def current(self) -> StatusPeriod:
        """The status the hotline is in now."""
        return self.periods[0]

    @property
    def status_changed(self) -> bool:
        """Whether a sync saw the current status being set (else it is all the dashboard has seen)."""
        return not self.current.first_seen


def hotline_status_history(*, hotline: Hotline) -> list[StatusPeriod]:
    """The hotline's statuses over time, newest first, from the recorded status changes."""
    changes = list(
        hotline.changes.filter(field="status").order_by("-changed_at", "-id").values_list("changed_at", "old_value")
    )
    periods: list[StatusPeriod] = []
    status, until = hotline.status, None
    for changed_at, old_value in changes:
        periods.append(StatusPeriod(status=status, since=changed_at, until=until))
        status, until = old_value, changed_at
    periods.append(StatusPeriod(status=status, since=hotline.first_seen_at, until=until, first_seen=True))
    return periods


def hotline_status_story(*, hotline: Hotline) -> StatusStory:
    """The detail's status story from the change history and `first_seen_at`, never from
    `last_changed_at` (the sync sets it when it first inserts a hotline, too)."""
    last_change_at = (
        hotline.changes.exclude(kind=ChangeKind.APPEARED)
        .order_by("-changed_at", "-id")
        .values_list("changed_at", flat=True)
        .first()
    )
    return StatusStory(
        periods=hotline_status_history(hotline=hotline),
        first_seen_at=hotline.first_seen_at,
        last_change_at=last_change_at,
    )


@dataclass(frozen=True, slots=True)
class Neighbours:
    """The rows before and after one in an ordered list, and the pages each sits on."""

    previous: int | None
    next: int | None
    position: int  # 1-based, in the whole list
    page: int
    previous_page: int
    next_page: int


def hotline_neighbours(*, queryset: QuerySet[Hotline], pk: int, page: int, per_page: int) -> Neighbours | None:
    """Where `pk` sits on `page` of the ordered list, and its neighbours: one query of a page and
    a row either side. None when it is not there (the data or the filters changed since)."""
    start = max((page - 1) * per_page - 1, 0)
    ids = list(queryset.values_list("pk", flat=True)[start : page * per_page + 1])
    if pk not in ids:
        return None
    index = ids.index(pk)
    at = start + index  # 0-based position in the whole list
    return Neighbours(
        previous=ids[index - 1] if index > 0 else None,
        next=ids[index + 1] if index + 1 < len(ids) else None,
        position=at + 1,
        page=at // per_page + 1,
        previous_page=(at - 1) // per_page + 1,
        next_page=(at + 1) // per_page + 1,
    )
