"""EMAIL_URL read as Django 6.1's MAILERS (the EMAIL_* settings are refused beside MAILERS)."""

from __future__ import annotations

import environ
import pytest

from etelecom_admin.mailers import SMTP, mailer_from_email_url


def mailer(url: str, timeout: float = 10.0) -> dict:
    return mailer_from_email_url(environ.Env.email_url_config(url), timeout=timeout)


def test_smtp_with_starttls_credentials_and_the_timeout():
    assert mailer("smtp+tls://user:p%40ss@smtp.example.com:587", timeout=7) == {
        "BACKEND": SMTP,
        "OPTIONS": {
            "host": "smtp.example.com",
            "port": 587,
            "username": "user",
            "password": "p@ss",
            "use_tls": True,
            "timeout": 7,
        },
    }


def test_smtp_with_implicit_tls_and_a_plain_relay():
    assert mailer("smtp+ssl://smtp.example.com:465")["OPTIONS"] == {
        "host": "smtp.example.com",
        "port": 465,
        "use_ssl": True,
        "timeout": 10.0,
    }
    assert mailer("smtp://localhost")["OPTIONS"] == {"host": "localhost", "port": 25, "timeout": 10.0}


@pytest.mark.parametrize(
    ("url", "backend"),
    [
        ("consolemail://", "django.core.mail.backends.console.EmailBackend"),
        ("memorymail://", "django.core.mail.backends.locmem.EmailBackend"),
        ("dummymail://", "django.core.mail.backends.dummy.EmailBackend"),
    ],
)
def test_other_backends_take_no_smtp_options(url, backend):
    assert mailer(url) == {"BACKEND": backend}


def test_the_settings_build_a_mailer_django_accepts(settings):
    from django.core import mail

    settings.MAILERS = {"default": mailer("smtp+tls://u:p@smtp.example.com:587", timeout=3)}
    backend = mail.mailers["default"]
    assert (backend.host, backend.port, backend.use_tls, backend.timeout) == ("smtp.example.com", 587, True, 3)
