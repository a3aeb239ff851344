from django.core.management.base import BaseCommand, CommandError

from hotlines.services.encryption import encryption_keys_rotate, encryption_keys_status


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored API key with the newest FIELD_ENCRYPTION_KEY. Put the new key first in "
        "FIELD_ENCRYPTION_KEY, keep the old ones after it, run this, then remove the old ones."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Change nothing; exit 1 when a secret is still encrypted with an older key.",
        )

    def handle(self, *args, check=False, **options):
        if check:
            status = encryption_keys_status()
            self.stdout.write(f"current={status['current']} old={status['old']}")
            if status["old"]:
                raise CommandError(
                    f"{status['old']} stored secret(s) still need an older key: run rotate_encryption_keys."
                )
            return
        result = encryption_keys_rotate()
        self.stdout.write(
            f"Re-encrypted {result.rotated} stored secret(s) with the newest key "
            f"({result.were_old} were under an older key). Older keys can now be removed from FIELD_ENCRYPTION_KEY."
        )
