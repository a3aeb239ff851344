"""How a webhook body is signed, and how a receiver checks it (the README's recipe, in code).

`X-Etelecom-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<body>" keyed with the secret>`, with
the timestamp (unix seconds) in `X-Etelecom-Timestamp`, so a captured request cannot be replayed
later with a fresh timestamp.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret
SIGNATURE_VERSION = "v1"
MIN_SECRET_LENGTH = 16
MAX_SECRET_LENGTH = 200
DEFAULT_TOLERANCE = 300  # seconds a receiver accepts between the timestamp and its clock


def webhook_secret_generate() -> str:
    """A new random signing secret (256 bits), shown once to the administrator."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def webhook_signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value for `body` sent at `timestamp`."""
    message = str(int(timestamp)).encode("ascii") + b"." + body
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={digest}"


def webhook_headers(*, secret: str, timestamp: int, body: bytes, event: str, idempotency_key: str) -> dict[str, str]:
    """Every header a delivery carries besides the transport's own."""
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "etelecom-admin-webhooks/1",
        "X-Etelecom-Event": event,
        "X-Etelecom-Timestamp": str(int(timestamp)),
        "X-Etelecom-Signature": webhook_signature(secret=secret, timestamp=timestamp, body=body),
        "Idempotency-Key": idempotency_key,
    }


def webhook_signature_verify(
    *, secret: str, timestamp: str, signature: str, body: bytes, now: float, tolerance: int = DEFAULT_TOLERANCE
) -> bool:
    """What a receiver does: the timestamp is recent and one `v1=` signature matches (in constant time)."""
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs(now - sent) > tolerance:
        return False
    expected = webhook_signature(secret=secret, timestamp=sent, body=body)
    # Several comma-separated signatures may come during a secret's rotation: any one may match.
    return any(hmac.compare_digest(expected, part.strip()) for part in (signature or "").split(","))
