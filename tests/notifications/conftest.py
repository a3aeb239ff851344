"""A real SMTP server (aiosmtpd) on a free local port, and Django's mailer pointed at it."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


class Inbox:
    """What the server received; `refuse` makes it answer DATA with a temporary failure."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list = []
        self.refuse = ""

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return self.refuse
        self.envelopes.append(envelope)
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    """A local SMTP server that can be stopped (the mail server is down) and started again."""

    port: int
    inbox: Inbox = field(default_factory=Inbox)
    controller: Controller | None = None

    def start(self) -> SmtpServer:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A running SMTP server, and MAILERS["default"] sending to it over SMTP."""
    server = SmtpServer(port=_free_port()).start()
    settings.MAILERS = {
        "default": {"BACKEND": SMTP_BACKEND, "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 5}}
    }
    settings.SITE_URL = "https://hotlines.partner.example"
    settings.DEFAULT_FROM_EMAIL = "eTelecom admin <noreply@partner.example>"
    yield server
    server.stop()
