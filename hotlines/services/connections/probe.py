"""The "Test connection" button: ask eTelecom for one small page and say, in words a person can
act on, how it went. The client tells what failed (its exception tree); this says what to do."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.http import HttpRequest
from django.utils.translation import gettext as _

from ...etelecom import exceptions as etelecom_errors
from ...models import AuditAction, Connection
from .client import connection_client
from .writes import connection_audit

logger = logging.getLogger(__name__)

TEST_LIMIT = 10  # hotlines asked for by "Test connection": enough to prove it works, cheap for eTelecom
TEST_TIMEOUT_MAX = 15.0  # a person is waiting for the answer


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
    if isinstance(error, etelecom_errors.TlsError):
        return ConnectionTestOutcome.TLS_ERROR, _(
            "TLS error: the secure connection to %(host)s failed (certificate or protocol). "
            "Check that the base URL is the one eTelecom gave you."
        ) % {"host": host}
    if isinstance(error, etelecom_errors.ConnectionFailed):
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
        with connection_client(connection, wait_at_most=timeout) as client:
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
        connection_audit(
            action=AuditAction.CONNECTION_TESTED,
            connection=connection,
            actor=actor,
            request=request,
            outcome=result.outcome,
            count=result.count,
            ms=round(result.seconds * 1000),
            error=result.detail[:300],
        )
    return result
