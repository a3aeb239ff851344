"""Writes to the audit log: what people did, never a secret's value."""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest

from ..models import AuditAction, AuditEntry

logger = logging.getLogger(__name__)

# Keys whose values never reach the audit log, whatever a caller passes.
_SECRET_KEYS = {"api_key", "password", "token", "secret"}


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _scrub(details: dict[str, Any]) -> dict[str, Any]:
    return {key: ("[hidden]" if key.lower() in _SECRET_KEYS else value) for key, value in details.items()}


def audit_record(
    *,
    action: AuditAction | str,
    actor=None,
    target: str = "",
    details: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    username: str = "",
) -> AuditEntry:
    """Record one audit entry. `actor` defaults to the request's signed-in user."""
    if actor is None and request is not None and getattr(request, "user", None) and request.user.is_authenticated:
        actor = request.user
    entry = AuditEntry.objects.create(
        action=action,
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        actor_username=(actor.get_username() if actor is not None and getattr(actor, "pk", None) else username)[:150],
        target=str(target)[:255],
        details=_scrub(details or {}),
        ip_address=_client_ip(request),
    )
    logger.info("audit %s by %s on %s", entry.action, entry.actor_username or "-", entry.target or "-")
    return entry
