"""`make run`: the sandbox (unless real credentials are configured), a first sync, a demo
admin, a background worker and the dashboard, all stopped together on Ctrl-C."""

import argparse
import secrets
import signal
import socket
import subprocess
import sys
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from hotlines.etelecom.sandbox import DEFAULT_API_KEY
from hotlines.services.connections.writes import connection_ensure_from_settings, connection_upsert
from hotlines.services.sync import hotlines_sync


def _wait_for_port(host: str, port: int, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex((host, port)) == 0:
                return True
        time.sleep(0.1)
    return False


def _any_free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _port(value: str) -> int:
    """A TCP port given on the command line (argparse turns the error into a usage message)."""
    try:
        port = int(value)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(_("not a port number (1-65535): %(value)r") % {"value": value})
    return port


def _port_free(host: str, port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((host, port)) != 0


class Command(BaseCommand):
    help = "Run the demo: sandbox, sync, demo admin, worker and dashboard at http://127.0.0.1:8000."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000", help="host:port of the dashboard.")
        parser.add_argument("--port", type=_port, help="The dashboard's port (overrides the one in --addr).")
        parser.add_argument("--sandbox-port", type=_port, default=8765, help="The eTelecom sandbox's port.")
        parser.add_argument(
            "--hotlines", type=int, default=settings.DEMO_HOTLINES,
            help="How many demo hotlines the sandbox serves (default: DEMO_HOTLINES, %(default)s).",
        )  # fmt: skip
        parser.add_argument("--username", default="admin")

    def handle(self, *args, addr, port=None, sandbox_port, hotlines, username, **options):
        started = time.monotonic()
        children: list[subprocess.Popen] = []
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        host, _colon, addr_port = addr.rpartition(":")
        try:
            port = port or _port(addr_port)
        except argparse.ArgumentTypeError as exc:
            raise CommandError(f"--addr: {exc}") from exc
        addr = f"{host or '127.0.0.1'}:{port}"
        if not _port_free(host or "127.0.0.1", port):
            raise CommandError(
                _("Port %(port)s is already in use: stop what runs there or choose another (make run PORT=…).")
                % {"port": port}
            )
        try:
            connection = connection_ensure_from_settings()
            if connection is None:
                if not _port_free("127.0.0.1", sandbox_port):
                    sandbox_port = _any_free_port()  # another demo or test sandbox holds the usual one
                children.append(
                    subprocess.Popen(
                        [*manage, "etelecom_sandbox", "--port", str(sandbox_port), "--hotlines", str(hotlines)]
                    )
                )
                if not _wait_for_port("127.0.0.1", sandbox_port):
                    raise CommandError("The eTelecom sandbox did not start.")
                connection = connection_upsert(
                    name="default", base_url=f"http://127.0.0.1:{sandbox_port}", api_key=DEFAULT_API_KEY
                )
                self.stdout.write(f"Sandbox: {hotlines:,} demo hotlines at http://127.0.0.1:{sandbox_port}")
            else:
                self.stdout.write(f"Using the eTelecom account at {connection.base_url}")
            run = hotlines_sync(connection=connection)
            if run.error:
                self.stderr.write(f"First sync failed: {run.error}")
            else:
                self.stdout.write(f"Synced {run.fetched:,} hotlines in {run.duration.total_seconds():.1f} s")
            password = self._demo_admin(username)
            children.append(subprocess.Popen([*manage, "db_worker"]))
            children.append(subprocess.Popen([*manage, "runserver", addr, "--noreload"]))
            if not _wait_for_port(host or "127.0.0.1", port, timeout=30):
                raise CommandError("The dashboard did not start.")
            bar = "=" * 64
            self.stdout.write(
                f"\n{bar}\n  Dashboard: http://{addr}/\n  Sign in:   {username} / {password}\n"
                f"  Ready in {time.monotonic() - started:.1f} s. Ctrl-C stops everything.\n{bar}\n"
            )
            self.stdout.flush()
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
            raise CommandError("A demo process stopped unexpectedly; stopping the rest.")
        except KeyboardInterrupt:
            self.stdout.write("\nStopping…")
        finally:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGINT)
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()

    def _demo_admin(self, username: str) -> str:
        """Create or reset the demo superuser with a fresh random password."""
        password = secrets.token_urlsafe(12)
        user, _ = get_user_model().objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.com"}
        )
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
        return password
