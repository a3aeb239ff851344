"""Writes to connections: add, change, deactivate and test them; every change is audited."""

from __future__ import annotations

import ipaddress
import logging
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from ..etelecom import exceptions as etelecom_errors
from ..etelecom.client import EtelecomClient
from ..models import AuditAction, Connection
from ..selectors import freshness_forget
from .audit import audit_record

logger = logging.getLogger(__name__)

DEFAULT_CONNECTION_NAME = "default"
# The fields a person edits; the API key is handled apart because its value is never shown or logged.
EDITABLE_FIELDS = ("name", "base_url", "page_size", "timeout")
PAGE_SIZE_RANGE = (1, 1000)  # the API serves at most 1,000 hotlines a page
TIMEOUT_RANGE = (1.0, 300.0)
TEST_LIMIT = 10  # hotlines asked for by "Test connection": enough to prove it works, cheap for eTelecom
TEST_TIMEOUT_MAX = 15.0  # a person is waiting for the answer


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


def _target(connection: Connection) -> str:
    return f"connection {connection.name}"


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
        audit_record(
            action=AuditAction.CONNECTION_CREATED,
            username="settings",
            target=_target(connection),
            details={"connection_id": connection.pk, "fields": [*EDITABLE_FIELDS, "api_key"]},
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
        audit_record(
            action=AuditAction.CONNECTION_CHANGED,
            username="settings",
            target=_target(connection),
            details={"connection_id": connection.pk, "fields": changed},
        )
    return connection


@sensitive_variables("api_key")
@transaction.atomic
def connection_create(
    *,
    name: str,
    base_url: str,
    api_key: str,
    page_size: int = 100,
    timeout: float = 30.0,
    actor=None,
    request: HttpRequest | None = None,
) -> Connection:
    """Add a connection (validated: https unless loopback or DEBUG) and audit it without the key."""
    connection = Connection(name=name, base_url=base_url, api_key=api_key, page_size=page_size, timeout=timeout)
    _validate(connection)
    connection.save()
    audit_record(
        action=AuditAction.CONNECTION_CREATED,
        actor=actor,
        request=request,
        target=_target(connection),
        details={"connection_id": connection.pk, "fields": [*EDITABLE_FIELDS, "api_key"]},
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
    audit_record(
        action=AuditAction.CONNECTION_CHANGED,
        actor=actor,
        request=request,
        target=_target(connection),
        # Which fields changed, never a value: the key's old and new values stay out of the log.
        details={"connection_id": connection.pk, "fields": changed},
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
        audit_record(
            action=AuditAction.CONNECTION_CHANGED,
            actor=actor,
            request=request,
            target=_target(connection),
            details={"connection_id": connection.pk, "fields": ["is_active"], "is_active": is_active},
        )
    return bool(updated)


# --- test connection -----------------------------------------------------------------------


class ConnectionTestOutcome:
    """Why a connection test ended as it did (stable codes for the UI, the audit log and tests)."""

    OK = "ok"
    KEY_REJECTED = "key_rejected"
    UNREACHABLE = "unreachable"
    TLS_ERROR = "tls_error"
    TIMEOUT = "timeout"
    NOT_ETELECOM = "not_etelecom"
    RATE_LIMITED = "rate_limited"
    SERVER_ERROR = "server_error"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class ConnectionTestResult:
    """What "Test connection" found: success with figures, or a reason a person can act on."""

    outcome: str
    message: str
    detail: str = ""
    count: int = 0
    has_more: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.outcome == ConnectionTestOutcome.OK


def _is_tls_error(error: BaseException) -> bool:
    seen: BaseException | None = error
    for _depth in range(10):
        if seen is None:
            return False
        if isinstance(seen, (requests.exceptions.SSLError, ssl.SSLError)):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _diagnose(error: etelecom_errors.EtelecomError, *, connection: Connection, timeout: float) -> tuple[str, str]:
    host = urlsplit(connection.base_url).hostname or connection.base_url
    if isinstance(error, etelecom_errors.AuthError):
        return ConnectionTestOutcome.KEY_REJECTED, _(
            "Key rejected: eTelecom refused this API key. Check that it was copied whole and is still valid."
        )
    if isinstance(error, etelecom_errors.Timeout):
        return ConnectionTestOutcome.TIMEOUT, _("Timed out: %(host)s did not answer within %(seconds)s seconds.") % {
            "host": host,
            "seconds": f"{timeout:g}",
        }
    if isinstance(error, etelecom_errors.ConnectionFailed):
        if _is_tls_error(error):
            return ConnectionTestOutcome.TLS_ERROR, _(
                "TLS error: the secure connection to %(host)s failed (certificate or protocol). "
                "Check that the base URL is the one eTelecom gave you."
            ) % {"host": host}
        return ConnectionTestOutcome.UNREACHABLE, _(
            "Host unreachable: nothing answered at %(host)s. Check the base URL, DNS and firewall."
        ) % {"host": host}
    if isinstance(error, etelecom_errors.RateLimited):
        return ConnectionTestOutcome.RATE_LIMITED, _("eTelecom is rate limiting requests: try again in a minute.")
    if isinstance(error, etelecom_errors.ServerError):
        return ConnectionTestOutcome.SERVER_ERROR, _("eTelecom answered with a server error: try again later.")
    if isinstance(error, etelecom_errors.BadPayload) or (
        isinstance(error, etelecom_errors.BadRequest)
        and (error.code == "bad_route" or error.status in (301, 302, 303, 307, 308, 404, 405))
    ):
        return ConnectionTestOutcome.NOT_ETELECOM, _(
            "Not an eTelecom API: %(host)s answered, but not like eTelecom's Partner API. Check the base URL."
        ) % {"host": host}
    return ConnectionTestOutcome.REFUSED, _("eTelecom refused the request.")


def connection_test(
    *, connection: Connection, actor=None, request: HttpRequest | None = None, record: bool = True
) -> ConnectionTestResult:
    """Ask eTelecom for one small page of hotlines with this connection's URL and key, and say how it went.

    No retries and a short timeout: a person is waiting, and a retry would hide the problem.
    """
    timeout = min(connection.timeout, TEST_TIMEOUT_MAX)
    started = time.perf_counter()
    try:
        with EtelecomClient(
            connection.base_url,
            connection.api_key,
            timeout=timeout,
            retries=0,
            # The whole test within the time its message promises, however slowly eTelecom answers.
            deadline=min(timeout, settings.ETELECOM_CALL_DEADLINE),
            answer_bytes_per_hotline=settings.ETELECOM_ANSWER_BYTES_PER_HOTLINE,
        ) as client:
            page = client.get_partner_hotline_list(limit=TEST_LIMIT)
    except etelecom_errors.EtelecomError as error:
        outcome, message = _diagnose(error, connection=connection, timeout=timeout)
        result = ConnectionTestResult(
            outcome=outcome, message=message, detail=str(error), seconds=time.perf_counter() - started
        )
    else:
        seconds = time.perf_counter() - started
        count, has_more = len(page.hotlines), bool(page.paging.next)
        result = ConnectionTestResult(
            outcome=ConnectionTestOutcome.OK,
            message=_("Connected: eTelecom returned %(count)s hotlines in %(ms)s ms.")
            % {"count": count, "ms": f"{seconds * 1000:,.0f}"},
            count=count,
            has_more=has_more,
            seconds=seconds,
        )
    logger.info("connection %s tested: %s in %.0f ms", connection.name, result.outcome, result.seconds * 1000)
    if record and connection.pk:
        audit_record(
            action=AuditAction.CONNECTION_TESTED,
            actor=actor,
            request=request,
            target=_target(connection),
            details={
                "connection_id": connection.pk,
                "outcome": result.outcome,
                "count": result.count,
                "ms": round(result.seconds * 1000),
                "error": result.detail[:300],
            },
        )
    return result


# --- the client (owned by the sync area) --------------------------------------------------


def connection_client(connection: Connection) -> EtelecomClient:
    """A client for the connection's account, retrying as the settings say."""
    return EtelecomClient(
        connection.base_url,
        connection.api_key,
        timeout=connection.timeout,
        retries=settings.ETELECOM_RETRIES,
        backoff_factor=settings.ETELECOM_BACKOFF,
        backoff_max=settings.ETELECOM_BACKOFF_MAX,
        deadline=settings.ETELECOM_CALL_DEADLINE,
        answer_bytes_per_hotline=settings.ETELECOM_ANSWER_BYTES_PER_HOTLINE,
    )
