from django.core.management.base import BaseCommand, CommandError

from hotlines.choices import SyncStatus, SyncTrigger
from hotlines.models import Connection, SyncRun
from hotlines.services.connections import connection_ensure_from_settings
from hotlines.services.sync import SyncAlreadyRunning, hotlines_sync


class Command(BaseCommand):
    help = "Mirror the hotlines of every active eTelecom connection (or one, with --connection)."

    def add_arguments(self, parser):
        parser.add_argument("--connection", help="Only this connection (by name).")
        parser.add_argument(
            "--trigger", choices=[SyncTrigger.COMMAND, SyncTrigger.SCHEDULE], default=SyncTrigger.COMMAND,
            help="Recorded on the run: 'schedule' for cron or systemd timers.",
        )  # fmt: skip
        parser.add_argument("--no-progress", action="store_true", help="Plain lines even on a terminal.")

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
        for conn in connections:
            try:
                run = hotlines_sync(connection=conn, trigger=trigger, progress=self._progress(conn, tty))
            except SyncAlreadyRunning as exc:
                failed.append(f"{conn.name}: {exc}")
                self.stderr.write(f"{conn.name}: skipped. {exc}")
                continue
            if tty:
                self.stdout.write("\r\033[K", ending="")
            self.stdout.write(self._summary(run))
            if run.status != SyncStatus.SUCCEEDED:
                failed.append(f"{conn.name}: {run.error}")
        if failed:
            raise CommandError("Sync failed. " + " | ".join(failed))

    def _progress(self, connection: Connection, tty: bool):
        def report(run: SyncRun) -> None:
            if run.status != SyncStatus.RUNNING:
                return
            text = f"{connection.name}: page {run.pages:,}, {run.fetched:,} hotlines fetched"
            if tty:
                spinner = "|/-\\"[run.pages % 4]
                self.stdout.write(f"\r\033[K{spinner} {text}", ending="")
                self.stdout.flush()
            else:
                self.stdout.write(text)

        return report

    @staticmethod
    def _summary(run: SyncRun) -> str:
        seconds = run.duration.total_seconds() if run.duration else 0.0
        figures = (
            f"pages={run.pages} created={run.created} updated={run.updated} removed={run.removed} "
            f"unchanged={run.unchanged} seconds={seconds:.1f}"
        )
        if run.status == SyncStatus.SUCCEEDED:
            return f"{run.connection.name}: ok {figures}"
        return f"{run.connection.name}: FAILED after pages={run.pages} fetched={run.fetched}: {run.error}"
