from django.conf import settings
from django.core.management.base import BaseCommand

from hotlines.etelecom.sandbox import DEFAULT_API_KEY, SandboxServer


class Command(BaseCommand):
    help = "Serve the local eTelecom Partner API sandbox with deterministic demo hotlines."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument(
            "--hotlines", type=int, default=settings.DEMO_HOTLINES,
            help="How many hotlines to serve (default: DEMO_HOTLINES, %(default)s, as `make run`).",
        )  # fmt: skip
        parser.add_argument("--seed", type=int, default=1, help="Seed of the generated data.")
        parser.add_argument("--api-key", default=DEFAULT_API_KEY, help="The Bearer key the sandbox accepts.")
        parser.add_argument("--no-control", action="store_true", help="Disable POST /_sandbox/control.")

    def handle(self, *args, host, port, hotlines, seed, api_key, no_control, **options):
        server = SandboxServer(host, port, hotlines=hotlines, seed=seed, api_key=api_key, control=not no_control)
        self.stdout.write(f"eTelecom sandbox serving {hotlines:,} hotlines (seed {seed}) at {server.url}", ending="\n")
        self.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
