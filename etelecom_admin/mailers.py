"""Django 6.1's mailer configuration from django-environ's reading of `EMAIL_URL`.

Django 6.1 replaces the `EMAIL_BACKEND`/`EMAIL_HOST`/... settings with `MAILERS` (aliases, each a
backend and its OPTIONS; the old settings warn and go in Django 2028), while django-environ's
`env.email_url()` still answers in the old settings' names: this maps one to the other.
"""

from __future__ import annotations

SMTP = "django.core.mail.backends.smtp.EmailBackend"
# django-environ's keys -> the SMTP backend's OPTIONS.
_SMTP_OPTIONS = {
    "EMAIL_HOST": "host",
    "EMAIL_PORT": "port",
    "EMAIL_HOST_USER": "username",
    "EMAIL_HOST_PASSWORD": "password",
    "EMAIL_USE_TLS": "use_tls",
    "EMAIL_USE_SSL": "use_ssl",
}


def mailer_from_email_url(config: dict, *, timeout: float) -> dict:
    """One `MAILERS` entry from `env.email_url(...)`'s dict: SMTP with its host, credentials, TLS and
    timeout; any other backend (console, file, in-memory) as it is, with its file path if it has one."""
    backend = config["EMAIL_BACKEND"]
    if backend == SMTP:
        options = {option: config[key] for key, option in _SMTP_OPTIONS.items() if config.get(key) not in (None, "")}
        options.setdefault("port", 25)
        options["timeout"] = timeout
        return {"BACKEND": backend, "OPTIONS": options}
    if config.get("EMAIL_FILE_PATH") and backend.endswith("filebased.EmailBackend"):
        return {"BACKEND": backend, "OPTIONS": {"file_path": config["EMAIL_FILE_PATH"]}}
    return {"BACKEND": backend}
