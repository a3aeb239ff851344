"""The eTelecom client's exceptions: no `requests` exception escapes the client.

EtelecomError
├── TransientError        worth retrying later: the network or eTelecom is having a moment
│   ├── ConnectionFailed
│   ├── Timeout
│   ├── RateLimited
│   └── ServerError       5xx
└── PermanentError        retrying will not help until someone changes something
    ├── TlsError          the secure connection failed: a certificate, or a base URL that is
    │                     not TLS; a person has to fix one of them, so it is not retried later
    ├── AuthError         401/403: the key is wrong or lacks access
    │   └── NotAvailable  this key may not call this method (403 permission_denied, or the
    │                     method does not exist: 404 bad_route), though the key itself works
    ├── BadRequest        other 4xx
    └── BadPayload        the answer is not what the API documents
"""

from __future__ import annotations


class EtelecomError(Exception):
    """Base of every error the eTelecom client raises."""

    default_message = "eTelecom call failed"

    def __init__(self, message: str = "", *, status: int | None = None, code: str = "", msg: str = "") -> None:
        self.status = status
        self.code = code  # eTelecom's {"code": ...}, when it sent one
        self.msg = msg  # eTelecom's {"msg": ...}, when it sent one
        super().__init__(message or self.default_message)

    @property
    def message(self) -> str:
        return str(self)


class TransientError(EtelecomError):
    """A failure that may go away by itself."""


class ConnectionFailed(TransientError):
    default_message = "eTelecom could not be reached"


class Timeout(TransientError):
    default_message = "eTelecom timed out"


class RateLimited(TransientError):
    default_message = "eTelecom is rate limiting requests"


class ServerError(TransientError):
    default_message = "eTelecom had a server error"


class PermanentError(EtelecomError):
    """A failure that needs a person to change something."""


class TlsError(PermanentError):
    default_message = "The secure connection to eTelecom failed"


class AuthError(PermanentError):
    default_message = "eTelecom rejected the API key"


class NotAvailable(AuthError):
    """The key is refused one method (the tenant list), not the API: its callers may carry on without it."""

    default_message = "eTelecom does not make this list available to this API key"


class BadRequest(PermanentError):
    default_message = "eTelecom rejected the request"


class BadPayload(PermanentError):
    default_message = "eTelecom sent an answer the dashboard cannot read"
