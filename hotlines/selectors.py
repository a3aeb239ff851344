"""Reads: the querysets and figures that views, tables and exports show."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection as db_connection
from django.db.models import CharField, Count, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils import timezone

from .choices import ACTIVE_SYNC_STATUSES, ChangeKind, SyncStatus
from .hotline_fields import DEFAULT_COLUMNS, FIELDS
from .models import AuditAction, AuditEntry, Connection, Hotline, HotlineChange, SyncRun, UserPreference

# The default columns' fields, and whether a row is removed (the number's cell says so).
LIST_FIELDS = ("id", *(FIELDS[name].query_path for name in DEFAULT_COLUMNS), "is_removed")


def hotline_list(*, include_removed: bool = False, fields: Iterable[str] | None = None) -> QuerySet[Hotline]:
    """Hotlines for the list: only the columns it shows; removed ones only when asked."""
    fields = tuple(fields or LIST_FIELDS)
    qs = Hotline.objects.only(*fields)
    if any("__" in field for field in fields):
        qs = qs.select_related("connection")
    if not include_removed:
        qs = qs.filter(is_removed=False)
    return qs


def hotline_get(*, pk: int) -> Hotline:
    return Hotline.objects.select_related("connection").get(pk=pk)


# Accounts whose last successes lie within this of each other read as one line ("synced 5 minutes
# ago", the oldest): the scheduled sync runs them one after the other, minutes apart.
ACCOUNTS_AGREE_WITHIN = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class AccountFreshness:
    """One active eTelecom account's side of the bar: its last success and its last finished run."""

    name: str
    last_success_at: datetime | None
    last_run: SyncRun | None
    is_stale: bool

    @property
    def failed(self) -> bool:
        """Its last finished run failed."""
        return self.last_run is not None and self.last_run.status == SyncStatus.FAILED

    @property
    def synced_just_now(self) -> bool:
        return self.last_success_at is not None and timezone.now() - self.last_success_at < timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class Freshness:
    """How fresh the local copy is: the last successful sync, the last run, and whether to warn.

    With several connections the single line speaks for the stalest one: the oldest of their
    last successes, and a failure if any connection's last run failed. When the accounts do not
    agree (one never synced, one failed, or their last successes lie far apart), `per_account`
    is true and the bar tells each account's own state instead.
    """

    last_success_at: datetime | None
    last_run: SyncRun | None
    is_stale: bool
    last_failed: bool
    active_runs: tuple[SyncRun, ...] = ()
    accounts: tuple[AccountFreshness, ...] = ()  # the active connections, by name
    ever_synced: bool = False  # some connection (active or not) synced once: the list holds data

    @property
    def running(self) -> bool:
        """A sync is queued or running."""
        return bool(self.active_runs)

    @property
    def synced_just_now(self) -> bool:
        """The last success is less than a minute old ("0 minutes ago" reads oddly)."""
        return self.last_success_at is not None and timezone.now() - self.last_success_at < timedelta(minutes=1)

    @property
    def never_synced(self) -> list[str]:
        """The names of the active accounts that never synced."""
        return [account.name for account in self.accounts if account.last_success_at is None]

    @property
    def per_account(self) -> bool:
        """One line per account: some data exists, and the accounts' states differ."""
        if not self.ever_synced or not self.accounts:
            return False
        if self.never_synced:
            return True
        if len(self.accounts) < 2:
            return False
        successes = [account.last_success_at for account in self.accounts]
        return any(account.failed for account in self.accounts) or (
            max(successes) - min(successes) > ACCOUNTS_AGREE_WITHIN
        )


def freshness() -> Freshness:
    """Freshness figures for every page: one query for every connection's last success and last
    finished run, one for those runs, one for the runs under way."""
    finished = SyncRun.objects.filter(connection=OuterRef("pk"), finished_at__isnull=False).order_by(
        "-finished_at", "-pk"
    )
    per_connection = list(
        Connection.objects.annotate(
            last_success_at=Subquery(finished.filter(status=SyncStatus.SUCCEEDED).values("finished_at")[:1]),
            last_run_id=Subquery(finished.values("pk")[:1]),
        )
        .order_by("name")
        .values_list("name", "is_active", "last_success_at", "last_run_id")
    )
    ever_synced = any(at is not None for _name, _active, at, _run in per_connection)
    active_connections = [(name, at, run) for name, active, at, run in per_connection if active]
    successes = [at for _name, at, _run in active_connections]
    last_success_at = None if not successes or None in successes else min(successes)
    last_runs = list(
        SyncRun.objects.filter(pk__in=[run for _name, _at, run in active_connections if run])
        .select_related("connection")
        .defer("connection__api_key")  # cached (freshness_cached): never the key, even encrypted
        .order_by("-finished_at")
    )
    failed = [run for run in last_runs if run.status == SyncStatus.FAILED]
    active = tuple(
        SyncRun.objects.filter(status__in=ACTIVE_SYNC_STATUSES, connection__is_active=True)
        .select_related("connection")
        .defer("connection__api_key")
        .order_by("started_at")
    )
    now = timezone.now()
    stale_after = timedelta(seconds=settings.HOTLINES_STALE_AFTER)
    runs_by_id = {run.pk: run for run in last_runs}
    accounts = tuple(
        AccountFreshness(
            name=name,
            last_success_at=at,
            last_run=runs_by_id.get(run),
            is_stale=at is None or now - at > stale_after,
        )
        for name, at, run in active_connections
    )
    return Freshness(
        last_success_at=last_success_at,
        last_run=failed[0] if failed else (last_runs[0] if last_runs else None),
        is_stale=last_success_at is None or now - last_success_at > stale_after,
        last_failed=bool(failed),
        active_runs=active,
        accounts=accounts,
        ever_synced=ever_synced,
    )


FRESHNESS_KEY = "freshness"
# Part of every data version: bumped whenever the shape of a figure cached under it changes, so
# that a cache shared by processes (CACHE_URL) never hands new code a figure of the old shape.
# 2: the totals and the list's groups count per eTelecom account too.
CACHED_SHAPE = 2


def freshness_cached() -> Freshness:
    """`freshness()` as every page shows it: shared between requests for FRESHNESS_CACHE_SECONDS.

    Its three queries were an eighth of a page's server time. Whatever changes a sync run or a
    connection here drops it (`freshness_forget`: signals and the services that update rows in
    place); a change made by another process shows within those seconds (at once with a shared
    CACHE_URL), and a sync's running figures are polled live by the bar itself."""
    seconds = settings.FRESHNESS_CACHE_SECONDS
    if seconds <= 0:
        return freshness()
    value = cache.get(FRESHNESS_KEY)
    if value is None:
        value = freshness()
        cache.set(FRESHNESS_KEY, value, seconds)
    return value


def freshness_forget() -> None:
    cache.delete(FRESHNESS_KEY)


def data_version() -> str:
    """Changes whenever the hotlines change: a cache key part for figures derived from the data.

    Every write of a sync moves the highest hotline ID (new rows) or the latest `last_changed_at`
    (changed, removed, reappeared rows). A sync that changed nothing leaves it alone, so the
    cached counts of every web process survive the routine no-change syncs (under load, dropping
    them all at once sent every process back to counting a million rows). Two index-only lookups.
    """
    hotline = Hotline._meta.db_table
    with db_connection.cursor() as cursor:
        cursor.execute(f"SELECT (SELECT MAX(id) FROM {hotline}), (SELECT MAX(last_changed_at) FROM {hotline})")  # noqa: S608
        top_id, changed = cursor.fetchone()
    if not top_id:
        return "empty"
    return hashlib.sha256(f"{top_id}|{changed}|{CACHED_SHAPE}".encode()).hexdigest()[:20]


def hotline_values(field: str, *, version: str | None = None) -> list[str]:
    """Distinct values of an enum-like field in the data (to offer values eTelecom adds later).
    Statuses and networks come from the cached totals, which hold every (network, status) pair."""
    version = version or data_version()
    if field in TOTALS_FIELDS:
        position = TOTALS_FIELDS[field]
        return sorted({group[position] for group in hotline_totals(version=version).by_group if group[position]})
    return cached_once(
        f"hotline-values:{field}:{version}",
        lambda: sorted(v for v in Hotline.objects.order_by().values_list(field, flat=True).distinct() if v),
    )


def hotline_caches_warm() -> str:
    """Compute what every list and home page reads from the cache for the current data version
    (totals per removal, network and status; the connection methods offered as a filter), so that
    no person waits for it: at 1,000,000 rows that is 1.5 s on PostgreSQL. Called after a sync
    changed the data and when a web process starts. Returns the version."""
    version = data_version()
    hotline_totals(version=version)
    hotline_values("connection_method", version=version)
    return version


def sync_run_list() -> QuerySet[SyncRun]:
    """Sync runs, newest first, with what their list and detail pages show."""
    return SyncRun.objects.select_related("connection", "requested_by").order_by("-started_at", "-pk")


def sync_run_changes(*, run: SyncRun, kind: str = "") -> QuerySet[Hotline]:
    """The hotlines one run changed (those with a change of `kind`, if given), one row each with
    every change the run made to it in `run_changes`, in the order they were recorded."""
    changes = HotlineChange.objects.filter(sync_run=run)
    touched = (changes.filter(kind=kind) if kind else changes).values("hotline_id")
    return (
        Hotline.objects.filter(pk__in=touched)
        .only("pk", "etelecom_id", "hotline", "name")
        .order_by("hotline", "pk")
        .prefetch_related(Prefetch("changes", queryset=changes.order_by("pk"), to_attr="run_changes"))
    )


def sync_run_change_counts(*, run: SyncRun) -> dict[str, int]:
    """How many hotlines each kind of change touched in a run, and in all ("" key): hotlines, not
    field changes, so they agree with the run's own figures (a renamed and re-networked hotline
    counts once)."""
    changes = HotlineChange.objects.filter(sync_run=run)
    counts = dict(changes.values_list("kind").annotate(n=Count("hotline_id", distinct=True)).order_by())
    counts[""] = changes.values("hotline_id").distinct().count() if counts else 0
    return counts


def sync_expected_total(*, connection_id: int) -> int | None:
    """How many hotlines a sync of the connection should fetch: what its last successful run did."""
    return (
        SyncRun.objects.filter(connection_id=connection_id, status=SyncStatus.SUCCEEDED)
        .order_by("-finished_at")
        .values_list("fetched", flat=True)
        .first()
    )


@dataclass(frozen=True)
class SyncEstimate:
    """How far a running sync is, against what the connection's last successful run fetched."""

    expected: int
    percent: int  # 0-99: a run is never 100% done before it ends


def sync_progress_estimate(*, fetched: int, expected: int | None) -> SyncEstimate | None:
    """The estimate the progress bar and the sync command show, or None when there is none.

    The API tells no total, so the last run's is a guess. Once a run has fetched that many, the data
    grew: the guess is worthless, so there is no estimate (a plain count) rather than
    "171,400 of ~4,999" or a bar stuck at 99%.
    """
    if not expected or fetched >= expected:
        return None
    return SyncEstimate(expected=expected, percent=min(fetched * 100 // expected, 99))


def readiness() -> dict:
    """What /readyz reports: the database answers, every migration is applied, and how the last sync went."""
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return {"status": "error", "database": "unreachable", "detail": type(exc).__name__}
    report: dict = {"status": "ok", "database": "ok", "migrations": "ok" if not pending else f"{len(pending)} pending"}
    if pending:
        report["status"] = "error"
    fresh = freshness()
    report["last_sync"] = {
        "succeeded_at": fresh.last_success_at.isoformat() if fresh.last_success_at else None,
        "age_seconds": int((timezone.now() - fresh.last_success_at).total_seconds()) if fresh.last_success_at else None,
        "last_outcome": fresh.last_run.status if fresh.last_run else None,
        "stale": fresh.is_stale,
    }
    return report


# --- security area: connections, users, audit log ------------------------------------------


def connection_list() -> QuerySet[Connection]:
    """Connections with their last finished sync and their last test (time and details), in one query.

    The last test is read from the audit log, which records every "Test connection" with its outcome,
    figures and upstream error: the log already is the history, so no column repeats it.
    """
    last = SyncRun.objects.filter(connection=OuterRef("pk"), finished_at__isnull=False).order_by("-finished_at")
    # Compared as text on both sides: a JSON value cannot be compared with a column on PostgreSQL,
    # and a cast to a number would fail on a malformed entry instead of skipping it.
    tested = (
        AuditEntry.objects.filter(action=AuditAction.CONNECTION_TESTED)
        .annotate(tested_id=Cast(KeyTextTransform("connection_id", "details"), CharField()))
        .filter(tested_id=Cast(OuterRef("pk"), CharField()))
        .order_by("-at", "-id")
    )
    return Connection.objects.annotate(
        last_sync_at=Subquery(last.values("finished_at")[:1]),
        last_sync_status=Subquery(last.values("status")[:1]),
        last_sync_id=Subquery(last.values("pk")[:1]),
        last_test_at=Subquery(tested.values("at")[:1]),
        last_test_details=Subquery(tested.values("details")[:1]),
    ).order_by("-is_active", "name")


def connection_activity(*, connection: Connection, limit: int = 10) -> list[AuditEntry]:
    """The latest audit entries about one connection (changes and tests)."""
    return list(AuditEntry.objects.filter(details__connection_id=connection.pk)[:limit])


def audit_entry_list() -> QuerySet[AuditEntry]:
    """The audit log, newest first (entries keep the actor's name, so no join is needed)."""
    return AuditEntry.objects.all()


def user_list():
    """Users with their groups, for the Users page."""
    from django.contrib.auth.models import Group

    return get_user_model().objects.prefetch_related(Prefetch("groups", queryset=Group.objects.order_by("name")))


def user_locked_usernames() -> set[str]:
    """User names django-axes currently locks out (failures reached the limit within the cool-off)."""
    from axes.helpers import get_cool_off
    from axes.models import AccessAttempt

    attempts = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    cool_off = get_cool_off()
    if cool_off:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return set(attempts.exclude(username=None).values_list("username", flat=True))


# --- browsing: the list's counts and facets, the home page's figures, the detail's neighbours --

# Fields whose distinct values are the keys of HotlineTotals.by_group
# (is_removed, network, status, connection_id).
TOTALS_FIELDS = {"network": 1, "status": 2}
COUNTS_TTL = 24 * 3600  # counts are keyed by the data version; the TTL only bounds memory
COUNT_WAIT_SECONDS = 10  # how long a process waits for another one's count before counting itself


def cached_once[T](key: str, compute: Callable[[], T], *, ttl: int = COUNTS_TTL) -> T:
    """The cached value, or compute it, with one process computing at a time per key.

    Counting a search at 1,000,000 rows takes up to a second; when several people (or one person
    and the list's facets) ask for the same cold figure together, every web process used to count
    it at once, on the same two cores. The first one now takes a short lock in the cache and the
    others wait for its result (or, if it takes too long, count for themselves)."""
    value = cache.get(key)
    if value is not None:
        return value
    lock = f"{key}:counting"
    owner = cache.add(lock, 1, COUNT_WAIT_SECONDS)
    if not owner:
        deadline = time.monotonic() + COUNT_WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(0.02)
            value = cache.get(key)
            if value is not None:
                return value
            if cache.get(lock) is None:  # the other process gave up (an error): count here
                break
    try:
        value = compute()
        cache.set(key, value, ttl)
    finally:
        if owner:
            cache.delete(lock)
    return value


def hotline_groups(*, queryset: QuerySet[Hotline], key: str, version: str) -> dict[tuple[str, str, int], int]:
    """How many rows hold each (network, status, connection_id) (one GROUP BY), once per data
    version and filter state: the list's count and its three facets at once."""

    def count() -> dict[tuple[str, str, int], int]:
        rows = queryset.order_by().values_list("network", "status", "connection_id").annotate(n=Count("pk"))
        return {(network, status, connection_id): n for network, status, connection_id, n in rows}

    return cached_once(f"hotline-groups:{version}:{key}", count)


@dataclass(frozen=True, slots=True)
class HotlineTotals:
    """Hotlines per (removed, network, status, eTelecom account): the home page's figures (every
    account's hotlines), and the list's counts and facets whenever it is filtered by status,
    network, account and removal only (the usual case)."""

    by_group: dict[tuple[bool, str, str, int], int]  # (is_removed, network, status, connection_id) -> count

    @property
    def by_pair(self) -> dict[tuple[str, str], int]:
        """Live hotlines per (network, status), every account's together."""
        out: dict[tuple[str, str], int] = {}
        for (removed, network, status, _connection), n in self.by_group.items():
            if not removed:
                out[(network, status)] = out.get((network, status), 0) + n
        return out

    @property
    def total(self) -> int:
        return sum(n for (removed, *_rest), n in self.by_group.items() if not removed)

    @property
    def removed(self) -> int:
        return sum(n for (removed, *_rest), n in self.by_group.items() if removed)

    def by(self, position: int) -> dict[str, int]:
        """Live totals by network (position 0) or status (position 1)."""
        out: dict[str, int] = {}
        for pair, count in self.by_pair.items():
            out[pair[position]] = out.get(pair[position], 0) + count
        return out

    def groups(self, *, removed: set[bool]) -> dict[tuple[str, str, int], int]:
        """Counts per (network, status, connection_id) among the given removal states."""
        out: dict[tuple[str, str, int], int] = {}
        for (is_removed, network, status, connection_id), n in self.by_group.items():
            if is_removed in removed:
                key = (network, status, connection_id)
                out[key] = out.get(key, 0) + n
        return out


def hotline_totals(*, version: str) -> HotlineTotals:
    """Hotlines per (removed, network, status, account): one GROUP BY per data version."""

    def count() -> HotlineTotals:
        rows = (
            Hotline.objects.order_by()
            .values_list("is_removed", "network", "status", "connection_id")
            .annotate(n=Count("pk"))
            .values_list("is_removed", "network", "status", "connection_id", "n")
        )
        return HotlineTotals(by_group={(bool(r), nw, st, c): n for r, nw, st, c, n in rows})

    return cached_once(f"hotline-totals:{version}", count)


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


def user_preference_get(*, user) -> UserPreference | None:
    """A user's saved list and language choices, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return UserPreference.objects.filter(user=user).first()


def connection_count() -> int:
    """How many active eTelecom accounts exist (the list offers to filter by account only when
    several do: a deactivated one is not offered, although its hotlines stay in the list)."""
    return Connection.objects.filter(is_active=True).count()
