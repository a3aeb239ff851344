"""Writes to connections: add, change, deactivate them, and the rules their base URL and key obey.

Every change is audited (which fields, never the key's value). The "Test connection" button is
`probe.py`; the client a sync uses is `client.py`.
"""

from __future__ import annotations

import ipaddress
import logging
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from ...models import AuditAction, Connection
from ...models.connections import DEFAULT_PAGE_SIZE
from ...selectors import freshness_forget
from ..audit import audit_record

logger = logging.getLogger(__name__)

DEFAULT_CONNECTION_NAME = "default"
# The fields a person edits; the API key is handled apart because its value is never shown or logged.
EDITABLE_FIELDS = ("name", "base_url", "page_size", "timeout")
PAGE_SIZE_RANGE = (1, 1000)  # the API serves at most 1,000 hotlines a page
TIMEOUT_RANGE = (1.0, 300.0)


# --- validation ----------------------------------------------------------------------------


def _is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def connection_base_url_clean(base_url: str) -> str:
    """The base URL normalised, or ValidationError: https is required unless DEBUG or a loopback host."""
    url = (base_url or "").strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(_("Enter a full URL starting with https://."), code="invalid")
    if parts.username or parts.password:
        # Credentials in a URL end up in logs and error messages; the key has its own field.
        raise ValidationError(_("Do not put a user name or password in the URL."), code="credentials")
    if parts.query or parts.fragment:
        raise ValidationError(_("The base URL cannot have a query string or a fragment."), code="query")
    if parts.scheme == "http" and not (settings.DEBUG or _is_loopback(parts.hostname)):
        raise ValidationError(
            _("The base URL must use https: the API key would otherwise cross the network in clear text."),
            code="https_required",
        )
    return url


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url or "")
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port or _DEFAULT_PORTS.get(scheme)


def connection_key_check(*, connection: Connection, base_url: str, api_key: str) -> None:
    """ValidationError on `api_key` when a new base URL would send the stored key to another server.

    The key is write-only: nobody reads it back. Pointing the base URL at another scheme, host or
    port and pressing "Save and test" would hand the stored key to whoever answers there, so such a
    change needs the key typed again (a new path on the same server does not).
    """
    if api_key or connection.pk is None or _origin(base_url) == _origin(connection.base_url):
        return
    raise ValidationError(
        {
            "api_key": ValidationError(
                _(
                    "The base URL now points to another server: type the API key again, so the stored key "
                    "is never sent to an address it was not given for."
                ),
                code="key_required",
            )
        }
    )


def _validate(connection: Connection) -> None:
    errors: dict[str, list[ValidationError]] = {}
    try:
        connection.base_url = connection_base_url_clean(connection.base_url)
    except ValidationError as exc:
        errors["base_url"] = exc.error_list
    if not PAGE_SIZE_RANGE[0] <= (connection.page_size or 0) <= PAGE_SIZE_RANGE[1]:
        errors["page_size"] = [ValidationError(_("Between 1 and 1,000 hotlines a page."), code="range")]
    if not TIMEOUT_RANGE[0] <= (connection.timeout or 0) <= TIMEOUT_RANGE[1]:
        errors["timeout"] = [ValidationError(_("Between 1 and 300 seconds."), code="range")]
    if not connection.api_key:
        errors["api_key"] = [ValidationError(_("An API key is required."), code="required")]
    try:
        connection.full_clean(exclude=[*errors, "api_key"])
    except ValidationError as exc:
        for field, messages in exc.error_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


# --- writes --------------------------------------------------------------------------------


def connection_ensure_from_settings() -> Connection | None:
    """Create or update the connection named `default` from ETELECOM_BASE_URL and ETELECOM_API_KEY."""
    base_url, api_key = settings.ETELECOM_BASE_URL, settings.ETELECOM_API_KEY
    if not (base_url and api_key):
        return None
    try:
        return connection_upsert(name=DEFAULT_CONNECTION_NAME, base_url=base_url, api_key=api_key)
    except ValidationError as exc:
        raise ImproperlyConfigured(f"ETELECOM_BASE_URL: {' '.join(exc.messages)}") from None


@sensitive_variables("api_key")
@transaction.atomic
def connection_upsert(*, name: str, base_url: str, api_key: str, page_size: int | None = None) -> Connection:
    """Create the named connection or point it at a new URL and key (writes only when something changed)."""
    base_url = connection_base_url_clean(base_url)
    connection = Connection.objects.select_for_update().filter(name=name).first()
    if connection is None:
        connection = Connection.objects.create(
            name=name,
            base_url=base_url,
            api_key=api_key,
            page_size=page_size or settings.ETELECOM_PAGE_SIZE,
            timeout=settings.ETELECOM_TIMEOUT,
        )
        connection_audit(
            action=AuditAction.CONNECTION_CREATED,
            connection=connection,
            username="settings",
            fields=[*EDITABLE_FIELDS, "api_key"],
        )
        return connection
    changed = [
        field for field, new in (("base_url", base_url), ("api_key", api_key)) if getattr(connection, field) != new
    ]
    if not connection.is_active:
        changed.append("is_active")
    if page_size and connection.page_size != page_size:
        connection.page_size = page_size
        changed.append("page_size")
    if changed:
        connection.base_url, connection.api_key, connection.is_active = base_url, api_key, True
        connection.save()
        connection_audit(
            action=AuditAction.CONNECTION_CHANGED, connection=connection, username="settings", fields=changed
        )
    return connection


@sensitive_variables("api_key")
@transaction.atomic
def connection_create(
    *,
    name: str,
    base_url: str,
    api_key: str,
    page_size: int = DEFAULT_PAGE_SIZE,
    timeout: float = 30.0,
    actor=None,
    request: HttpRequest | None = None,
) -> Connection:
    """Add a connection (validated: https unless loopback or DEBUG) and audit it without the key."""
    connection = Connection(name=name, base_url=base_url, api_key=api_key, page_size=page_size, timeout=timeout)
    _validate(connection)
    connection.save()
    connection_audit(
        action=AuditAction.CONNECTION_CREATED,
        connection=connection,
        actor=actor,
        request=request,
        fields=[*EDITABLE_FIELDS, "api_key"],
    )
    logger.info("connection %s added", connection.name)
    return connection


@sensitive_variables("api_key")
@transaction.atomic
def connection_update(
    *,
    connection: Connection,
    api_key: str = "",
    actor=None,
    request: HttpRequest | None = None,
    **changes,
) -> list[str]:
    """Change a connection's fields; an empty `api_key` keeps the stored one. Returns the changed field names.

    A base URL on another scheme, host or port needs the key in the same call (`connection_key_check`).
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"connection_update() cannot change {', '.join(sorted(unknown))}")
    connection = Connection.objects.select_for_update().get(pk=connection.pk)
    if "base_url" in changes:
        try:
            changes["base_url"] = connection_base_url_clean(changes["base_url"])
        except ValidationError as exc:
            raise ValidationError({"base_url": exc.error_list}) from None
        # Checked against the stored (locked) row, so every door (dashboard, admin, shell) obeys it.
        connection_key_check(connection=connection, base_url=changes["base_url"], api_key=api_key)
    changed = [field for field, value in changes.items() if getattr(connection, field) != value]
    for field in changed:
        setattr(connection, field, changes[field])
    if api_key and api_key != connection.api_key:
        connection.api_key = api_key
        changed.append("api_key")
    _validate(connection)
    if not changed:
        return []
    connection.save()
    # Which fields changed, never a value: the key's old and new values stay out of the log.
    connection_audit(
        action=AuditAction.CONNECTION_CHANGED, connection=connection, actor=actor, request=request, fields=changed
    )
    logger.info("connection %s changed: %s", connection.name, ", ".join(changed))
    return changed


@transaction.atomic
def connection_set_active(
    *, connection: Connection, is_active: bool, actor=None, request: HttpRequest | None = None
) -> bool:
    """Activate or deactivate a connection (inactive ones are not synced). True when it changed."""
    updated = Connection.objects.filter(pk=connection.pk).exclude(is_active=is_active).update(is_active=is_active)
    connection.is_active = is_active
    if updated:
        freshness_forget()
        connection_audit(
            action=AuditAction.CONNECTION_CHANGED,
            connection=connection,
            actor=actor,
            request=request,
            fields=["is_active"],
            is_active=is_active,
        )
    return bool(updated)


def connection_audit(
    *,
    action: AuditAction,
    connection: Connection,
    actor=None,
    request: HttpRequest | None = None,
    username: str = "",
    **details: Any,
) -> None:
    """Audit a change to (or a test of) a connection: its id and `details`, never its key."""
    audit_record(
        action=action,
        actor=actor,
        request=request,
        username=username,
        target=f"connection {connection.name}",
        details={"connection_id": connection.pk, **details},
    )
