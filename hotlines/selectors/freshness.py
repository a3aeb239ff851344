"""How fresh the local copy is: the bar every page shows, per eTelecom account, and its cache."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from ..choices import ACTIVE_SYNC_STATUSES, SyncStatus
from ..models import Connection, SyncRun

# Accounts whose last successes lie within this of each other read as one line ("synced 5 minutes
# ago", the oldest): the scheduled sync runs them one after the other, minutes apart.
ACCOUNTS_AGREE_WITHIN = timedelta(minutes=10)

FRESHNESS_KEY = "freshness"


def _just_now(at: datetime | None) -> bool:
    """Less than a minute ago ("0 minutes ago" reads oddly)."""
    return at is not None and timezone.now() - at < timedelta(minutes=1)


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
        """Its last success is less than a minute old."""
        return _just_now(self.last_success_at)


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
        """The last success is less than a minute old."""
        return _just_now(self.last_success_at)

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
    """Drop the cached freshness: the next page reads it again."""
    cache.delete(FRESHNESS_KEY)
