"""`manage.py recover_webhooks`: take again the webhook deliveries a dead worker held, and queue
waiting ones whose task was lost (run it from cron or a timer, e.g. every 5 minutes)."""

from django.core.management.base import BaseCommand

from hotlines.services.webhooks.deliveries import delivery_recover


class Command(BaseCommand):
    help = "Re-queue webhook deliveries held by a dead worker (older than WEBHOOK_STALE_AFTER) or overdue."

    def add_arguments(self, parser):
        parser.add_argument("--stale-after", type=float, default=None, help="Seconds (default: WEBHOOK_STALE_AFTER).")

    def handle(self, *args, stale_after=None, **options):
        if stale_after is not None and stale_after < 0:
            self.stderr.write("--stale-after cannot be negative.")
            raise SystemExit(2)
        result = delivery_recover(stale_after=stale_after)
        self.stdout.write(f"webhooks: reclaimed={result.reclaimed} requeued={result.requeued}")
