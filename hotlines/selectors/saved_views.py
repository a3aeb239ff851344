"""Reads of saved views and watches: the views a person may see (with their live counts, cached
per data version like the list's), one view, the home page's pins with what the last sync did to
them, a person's watches."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import connection as db_connection
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.http import QueryDict

from ..ids import id_parse
from ..list_counts import hotline_list_counts
from ..listing import list_request
from ..models import SavedView, SavedViewPin, ViewSyncDelta, Watch
from .caching import cached_once
from .counts import data_version
from .request_memo import request_recall, request_remember

# What changes whenever a saved view is added, deleted, renamed, shared or unshared (their count,
# the highest ID, the latest `updated_at`, which every save moves): read by `data_version` in its
# round trip, so that the list's Views menu, kept per person and per this version, costs no query.
VERSION_SQL = tuple(
    f"(SELECT {aggregate} FROM {SavedView._meta.db_table})"  # noqa: S608
    for aggregate in ("COUNT(*)", "MAX(id)", "MAX(updated_at)")
)
VERSION_KEY = "saved_views_version"  # under which a request keeps it (request_memo.py)


def saved_views_version_remember(count, top_id, updated) -> str:
    """Keep for the rest of the request the saved views' version that a query read beside its own
    figures (`VERSION_SQL`), and return it. Outside a request, nothing is kept."""
    version = f"{count}|{top_id}|{updated}"
    request_remember(VERSION_KEY, version)
    return version


def saved_views_version() -> str:
    """Changes whenever any saved view is added, deleted or saved (see VERSION_SQL); once per
    request, usually read by `data_version` already."""
    remembered = request_recall(VERSION_KEY)
    if remembered is not None:
        return remembered
    with db_connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(VERSION_SQL)}")
        return saved_views_version_remember(*cursor.fetchone())


def saved_view_visible(*, user) -> QuerySet[SavedView]:
    """The views a person may see: their own and the shared ones, by name."""
    return SavedView.objects.filter(Q(owner_id=user.pk) | Q(shared=True)).order_by("name", "id")


def saved_view_get(*, user, pk) -> SavedView:
    """One view the person may see (SavedView.DoesNotExist otherwise: another's private view is
    as absent as a deleted one)."""
    parsed = id_parse(str(pk))
    if parsed is None:
        raise SavedView.DoesNotExist
    return saved_view_visible(user=user).select_related("owner").get(pk=parsed)


def saved_view_columns(*, user, raw: str | None) -> list[str] | None:
    """The columns of the saved view `raw` names, when the person may see it and it chose some."""
    if not raw:
        return None
    try:
        return saved_view_get(user=user, pk=raw).columns or None
    except SavedView.DoesNotExist:
        return None


def saved_view_rows(*, user) -> QuerySet[SavedView]:
    """The Views page's rows: visible views with their owner, and whether this person pinned and
    watches each (two EXISTS, not a query per row)."""
    return (
        saved_view_visible(user=user)
        .select_related("owner")
        .annotate(
            pinned=Exists(SavedViewPin.objects.filter(view=OuterRef("pk"), user_id=user.pk)),
            watched=Exists(Watch.objects.filter(view=OuterRef("pk"), user_id=user.pk)),
        )
    )


def saved_view_count(*, query: str, version: str) -> int:
    """How many hotlines a view's query holds now: the list's own count (its cached totals or
    GROUP BY), itself cached per data version and query, so a menu of views costs no count."""
    key = hashlib.sha256(query.encode()).hexdigest()[:32]

    def count() -> int:
        asked = list_request(QueryDict(query))
        return hotline_list_counts(filterset=asked.filterset, version=version)[0]

    return cached_once(f"saved-view-count:{version}:{key}", count)


def saved_view_counts_warm() -> int:
    """Count every saved view's query for the current data version, so that the first list page or
    home page after a sync does not count each view of its menu while a person waits. The worker
    calls it after each sync that changed data; returns how many distinct queries it counted."""
    version = data_version()
    queries = list(SavedView.objects.order_by().values_list("query", flat=True).distinct())
    for query in queries:
        saved_view_count(query=query, version=version)
    return len(queries)


def saved_view_counts(views, *, version: str | None = None) -> dict[int, int]:
    """Each view's live count, by ID."""
    version = version or data_version()
    return {view.pk: saved_view_count(query=view.query, version=version) for view in views}


@dataclass(frozen=True, slots=True)
class PinnedView:
    """A view on the home page: its count and what the latest sync with deltas did to it (None
    when no sync has been worked out for it yet)."""

    view: SavedView
    count: int
    delta: ViewSyncDelta | None


def saved_view_pins(*, user, version: str | None = None) -> list[PinnedView]:
    """The person's pinned views they may still see, with counts and the latest deltas: three
    queries however many are pinned (the counts come from the cache)."""
    pins = list(
        SavedViewPin.objects.filter(user_id=user.pk)
        .filter(Q(view__owner_id=user.pk) | Q(view__shared=True))
        .select_related("view")
        .order_by("created_at", "id")
    )
    views = [pin.view for pin in pins]
    deltas: dict[int, ViewSyncDelta] = {}
    if views:
        latest = ViewSyncDelta.objects.aggregate(run=Max("sync_run_id"))["run"]
        if latest is not None:
            deltas = {
                delta.view_id: delta
                for delta in ViewSyncDelta.objects.filter(sync_run_id=latest, view__in=[view.pk for view in views])
            }
    counts = saved_view_counts(views, version=version)
    return [PinnedView(view=view, count=counts[view.pk], delta=deltas.get(view.pk)) for view in views]


def watch_list(*, user) -> QuerySet[Watch]:
    """A person's watches, newest first, with what each watches."""
    return Watch.objects.filter(user_id=user.pk).select_related("view", "hotline").order_by("-created_at", "-id")


def watch_of(*, user, view: SavedView | None = None, hotline=None) -> Watch | None:
    """The person's watch of a view or a hotline, if any."""
    target = {"view": view} if view is not None else {"hotline": hotline}
    return Watch.objects.filter(user_id=user.pk, **target).first()
