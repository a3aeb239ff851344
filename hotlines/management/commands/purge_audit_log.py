from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from hotlines.services.audit import audit_purge


class Command(BaseCommand):
    help = "Delete audit entries older than AUDIT_RETENTION_DAYS (run it daily, e.g. from cron)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, help="Keep this many days instead of AUDIT_RETENTION_DAYS.")

    def handle(self, *args, days=None, **options):
        try:
            deleted = audit_purge(older_than_days=days)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        kept = days if days is not None else settings.AUDIT_RETENTION_DAYS
        self.stdout.write(f"Deleted {deleted} audit entr{'y' if deleted == 1 else 'ies'} older than {kept} days.")
