from django.conf import settings
from django.core.management.base import BaseCommand

from hotlines.etelecom.demo_data import default_tenants
from hotlines.etelecom.sandbox import DEFAULT_API_KEY, MAX_LIMIT, SandboxServer
from hotlines.etelecom.sandbox.network import LIMITS


def _switch(name: str):
    """An argparse type: a whole number within the network switch's range."""
    low, high = LIMITS[name]

    def parse(text: str) -> int:
        value = int(text)
        if not low <= value <= high:
            raise ValueError(text)
        return value

    parse.__name__ = f"whole number from {low} to {high}"
    return parse


class Command(BaseCommand):
    help = "Serve the local eTelecom Partner API sandbox with deterministic demo hotlines and tenants."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument(
            "--hotlines", type=int, default=settings.DEMO_HOTLINES,
            help="How many hotlines to serve (default: DEMO_HOTLINES, %(default)s, as `make run`).",
        )  # fmt: skip
        parser.add_argument(
            "--tenants", type=int, default=None,
            help="How many tenants to serve (default: one per 20 hotlines, at least one).",
        )  # fmt: skip
        parser.add_argument("--seed", type=int, default=1, help="Seed of the generated data.")
        parser.add_argument("--api-key", default=DEFAULT_API_KEY, help="The Bearer key the sandbox accepts.")
        parser.add_argument("--no-control", action="store_true", help="Disable POST /_sandbox/control.")
        parser.add_argument(
            "--refuse-tenants", type=int, nargs="?", const=403, default=0, choices=(403, 404),
            help="Refuse GetPartnerTenantList to the key while serving hotlines: 403 permission_denied "
            "(the default when given alone) or 404 bad_route.",
        )  # fmt: skip

        parser.add_argument(
            "--latency-ms", type=_switch("latency_ms"), default=0,
            help="Answer every Partner API request this many milliseconds after it arrived, as over the "
            "internet (the time to build the page included). Default 0 (loopback).",
        )  # fmt: skip
        parser.add_argument(
            "--bandwidth-kbps", type=_switch("bandwidth_kbps"), default=0,
            help="Send answers' bodies at this many kilobits a second. Default 0 (no limit).",
        )  # fmt: skip
        parser.add_argument(
            "--max-limit", type=_switch("max_limit"), default=MAX_LIMIT,
            help="The most items a page holds: a larger `limit` is cut to it (default %(default)s).",
        )  # fmt: skip

    def handle(
        self, *args, host, port, hotlines, tenants, seed, api_key, no_control, refuse_tenants, latency_ms,
        bandwidth_kbps, max_limit, **options,
    ):  # fmt: skip
        server = SandboxServer(
            host, port, hotlines=hotlines, tenants=tenants, seed=seed, api_key=api_key,
            control=not no_control, refuse_tenants=refuse_tenants, latency_ms=latency_ms,
            bandwidth_kbps=bandwidth_kbps, max_limit=max_limit,
        )  # fmt: skip
        tenants = default_tenants(hotlines) if tenants is None else tenants
        served = f"refusing its {tenants:,} tenants ({refuse_tenants})" if refuse_tenants else f"{tenants:,} tenants"
        network = f", {latency_ms} ms per answer" if latency_ms else ""
        network += f", {bandwidth_kbps:,} kbit/s" if bandwidth_kbps else ""
        self.stdout.write(
            f"eTelecom sandbox serving {hotlines:,} hotlines and {served} (seed {seed}, at most {max_limit:,} "
            f"a page{network}) at {server.url}",
            ending="\n",
        )
        self.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
