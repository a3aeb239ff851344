"""`manage.py create_user NAME --role Viewer`: add a person with a role from the command line.

The same service as the Users page (validated password, role groups, audit log). The password is
typed twice (or piped in, two lines), or generated and printed once with --no-input.
"""

from __future__ import annotations

import getpass
import secrets
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from hotlines.services.users import ROLES, user_create

PASSWORD_TRIES = 3


def generate_password() -> str:
    """A random password that passes the validators: 16 URL-safe characters (96 bits)."""
    return secrets.token_urlsafe(12)


def _messages(exc: ValidationError) -> str:
    return " ".join(exc.messages)


class Command(BaseCommand):
    help = "Create a user with a role (Viewer, Exporter, Operator or Administrator)."
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("username", help="The sign-in name.")
        parser.add_argument("--role", required=True, help=f"One of {', '.join(ROLES)}.")
        parser.add_argument("--email", default="", help="Their e-mail address (optional).")
        parser.add_argument(
            "--no-input", "--noinput", action="store_false", dest="interactive",
            help="Do not ask for a password: generate one and print it once.",
        )  # fmt: skip

    def execute(self, *args, **options):
        self.stdin = options.get("stdin", sys.stdin)  # tests pass their own
        return super().execute(*args, **options)

    def handle(self, *args, username: str, role: str, email: str, interactive: bool, **options):
        role_name = next((name for name in ROLES if name.casefold() == role.strip().casefold()), None)
        if role_name is None:
            raise CommandError(
                _("Unknown role “%(role)s”: choose one of %(roles)s.") % {"role": role, "roles": ", ".join(ROLES)}
            )
        # Name and e-mail first, so nobody types a password for a user that cannot be created.
        candidate = get_user_model()(username=username, email=email)
        try:
            candidate.full_clean(exclude=["password"])
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from exc
        password, generated = self._password(candidate) if interactive else (generate_password(), True)
        try:
            user = user_create(username=username, password=password, roles=[role_name], email=email)
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from exc
        self.stdout.write(
            _("Created the user “%(username)s” with the role %(role)s.")
            % {"username": user.get_username(), "role": role_name}
        )
        if generated:
            self.stdout.write(_("Password: %(password)s (shown only this once)") % {"password": password})

    def _password(self, candidate) -> tuple[str, bool]:
        """Ask twice until both agree and the validators accept it; empty generates one."""
        for _try in range(PASSWORD_TRIES):
            password = self._read_secret(_("Password (leave empty to generate one): "))
            if not password:
                return generate_password(), True
            if self._read_secret(_("Password (again): ")) != password:
                self.stderr.write(_("The two passwords differ."))
                continue
            try:
                validate_password(password, candidate)
            except ValidationError as exc:
                self.stderr.write(_messages(exc))
                continue
            return password, False
        raise CommandError(_("No acceptable password after %(n)d tries.") % {"n": PASSWORD_TRIES})

    def _read_secret(self, prompt: str) -> str:
        if self.stdin is sys.stdin and sys.stdin.isatty():
            return getpass.getpass(prompt)
        # Piped in (a script, a test): one line per prompt, never echoed back.
        self.stderr.write(prompt, ending="")
        line = self.stdin.readline()
        if not line:
            raise CommandError(
                _("No password on the standard input: type it twice, or pass --no-input to generate one.")
            )
        return line.rstrip("\r\n")
