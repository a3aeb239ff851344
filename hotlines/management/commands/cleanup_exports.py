from django.core.management.base import BaseCommand

from hotlines.services.exports import export_cleanup


class Command(BaseCommand):
    help = (
        "Delete background export files older than EXPORT_RETENTION_HOURS and fail exports no worker "
        "finished within it. Run it hourly (cron or a systemd timer); each background export also runs it."
    )

    def handle(self, *args, **options):
        result = export_cleanup()
        self.stdout.write(f"{result.files_deleted} export files deleted, {result.abandoned} abandoned exports failed")
