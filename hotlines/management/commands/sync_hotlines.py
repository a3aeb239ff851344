"""`manage.py sync_hotlines`: mirror the hotlines of every active connection (cron, systemd, by hand)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from hotlines.choices import SyncStatus, SyncTrigger, TenantSyncState
from hotlines.models import Connection, SyncRun
from hotlines.selectors import sync_expected_total, sync_progress_estimate
from hotlines.services.connections.writes import connection_ensure_from_settings
from hotlines.services.sync import (
    SyncAlreadyRunning,
    SyncInterrupted,
    hotlines_sync,
    sync_raise_if_interrupted,
    sync_stop_on_signals,
)

BAR_WIDTH = 30
TTY_EVERY = 0.1  # seconds between redraws of the progress bar
PLAIN_EVERY = 10.0  # seconds between progress lines when the output is not a terminal


class Command(BaseCommand):
    help = "Mirror the hotlines of every active eTelecom connection (or one, with --connection)."

    def add_arguments(self, parser):
        parser.add_argument("--connection", help="Only this connection (by name).")
        parser.add_argument(
            "--trigger", choices=[SyncTrigger.COMMAND, SyncTrigger.SCHEDULE], default=SyncTrigger.COMMAND,
            help="Recorded on the run: 'schedule' for cron or systemd timers.",
        )  # fmt: skip
        parser.add_argument("--no-progress", action="store_true", help="No progress bar, even on a terminal.")

    def handle(self, *args, connection=None, trigger=SyncTrigger.COMMAND, no_progress=False, **options):
        connection_ensure_from_settings()
        connections = Connection.objects.filter(is_active=True)
        if connection:
            connections = connections.filter(name=connection)
        connections = list(connections)
        if not connections:
            raise CommandError(
                "No active eTelecom connection: set ETELECOM_BASE_URL and ETELECOM_API_KEY, "
                "or add one in the dashboard."
            )
        tty = self.stdout.isatty() and not no_progress
        failed = []
        # SIGINT (Ctrl-C) and SIGTERM (systemd, docker stop) stop the sync in progress within a
        # second or two, even while eTelecom is slow to answer; its run records why.
        with sync_stop_on_signals():
            for conn in connections:
                reporter = Progress(self.stdout, conn, tty=tty, quiet=no_progress)
                try:
                    sync_raise_if_interrupted()  # asked to stop between two connections
                    run = hotlines_sync(connection=conn, trigger=trigger, progress=reporter)
                except SyncAlreadyRunning as exc:
                    failed.append(f"{conn.name}: {exc}")
                    self.stderr.write(f"{conn.name}: skipped. {exc}")
                    continue
                except SyncInterrupted as exc:
                    reporter.clear()
                    if exc.run is not None:
                        self.stdout.write(summary(exc.run))
                    failed.append(f"{conn.name}: {exc.message}")
                    # The shell's convention for a process ended by a signal: 128 + its number.
                    raise CommandError("Sync failed. " + " | ".join(failed), returncode=128 + exc.signum) from None
                reporter.clear()
                self.stdout.write(summary(run))
                if run.status != SyncStatus.SUCCEEDED:
                    failed.append(f"{conn.name}: {run.error}")
        if failed:
            raise CommandError("Sync failed. " + " | ".join(failed))


class Progress:
    """Reports a running sync: a redrawn bar on a terminal, a plain line every few seconds otherwise."""

    def __init__(self, out, connection: Connection, *, tty: bool, quiet: bool = False) -> None:
        self.out, self.name, self.tty, self.quiet = out, connection.name, tty, quiet
        self.expected = sync_expected_total(connection_id=connection.pk)  # from the last successful run
        self.started = time.monotonic()
        self.last = 0.0
        self.drawn = False

    def __call__(self, run: SyncRun) -> None:
        if self.quiet or run.status != SyncStatus.RUNNING:
            return
        now = time.monotonic()
        if now - self.last < (TTY_EVERY if self.tty else PLAIN_EVERY):
            return
        self.last = now
        if self.tty:
            self.out.write("\r\033[K" + self.line(run, now), ending="")
            self.out.flush()
            self.drawn = True
        else:
            self.out.write(self.line(run, now))

    def line(self, run: SyncRun, now: float) -> str:
        seconds = now - self.started
        if not run.tenants:  # the tenant list is read first
            return f"{self.name}: tenants: page {run.tenant_pages:,}, {run.tenants_fetched:,} fetched, {seconds:.0f} s"
        # Past the last run's total the data grew: a plain count, as when there is no estimate.
        estimate = sync_progress_estimate(fetched=run.fetched, expected=self.expected)
        if estimate:
            filled = estimate.percent * BAR_WIDTH // 100
            bar = (
                "#" * filled + "-" * (BAR_WIDTH - filled) if not self.tty else "█" * filled + "░" * (BAR_WIDTH - filled)
            )
            return (
                f"{self.name}: [{bar}] {estimate.percent:3d}%  page {run.pages:,}, "
                f"{run.fetched:,} of ~{estimate.expected:,} hotlines, {seconds:.0f} s"
            )
        spinner = "|/-\\"[run.pages % 4] + " " if self.tty else ""
        return f"{spinner}{self.name}: page {run.pages:,}, {run.fetched:,} hotlines fetched, {seconds:.0f} s"

    def clear(self) -> None:
        if self.drawn:
            self.out.write("\r\033[K", ending="")


def summary(run: SyncRun) -> str:
    """The one line a run ends with."""
    seconds = run.duration.total_seconds() if run.duration else 0.0
    figures = (
        f"pages={run.pages} created={run.created} updated={run.updated} removed={run.removed} "
        f"unchanged={run.unchanged} seconds={seconds:.1f}"
    )
    if run.status == SyncStatus.SUCCEEDED:
        return f"{run.connection.name}: ok {figures} {tenant_summary(run)}"
    return (
        f"{run.connection.name}: FAILED after tenant_pages={run.tenant_pages} pages={run.pages} "
        f"fetched={run.fetched}: {run.error}"
    )


def tenant_summary(run: SyncRun) -> str:
    """The tenant part of a successful run's line."""
    if run.tenants == TenantSyncState.UNAVAILABLE:
        return "tenants=unavailable (eTelecom refused the tenant list to this API key; the hotlines synced)"
    return (
        f"tenants: pages={run.tenant_pages} created={run.tenants_created} updated={run.tenants_updated} "
        f"removed={run.tenants_removed} unchanged={run.tenants_unchanged}"
    )
