"""Writes to the audit log: what people did, never a secret's value."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from ..client_address import client_ip
from ..models import AuditAction, AuditEntry

logger = logging.getLogger(__name__)

# Keys whose values never reach the audit log, whatever a caller passes (nested dicts too).
_SECRET_KEYS = {"api_key", "password", "password1", "password2", "token", "secret", "authorization"}
PURGE_BATCH = 5000


def _scrub(details: dict[str, Any]) -> dict[str, Any]:
    return {
        key: "[hidden]" if key.lower() in _SECRET_KEYS else _scrub(value) if isinstance(value, dict) else value
        for key, value in details.items()
    }


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
        # The same address django-axes locks (AXES_CLIENT_IP_CALLABLE): the client's, behind a proxy too.
        ip_address=client_ip(request) if request is not None else None,
    )
    logger.info("audit %s by %s on %s", entry.action, entry.actor_username or "-", entry.target or "-")
    return entry


def audit_purge(*, older_than_days: int | None = None, actor=None) -> int:
    """Delete entries older than AUDIT_RETENTION_DAYS (or `older_than_days`); returns how many went.

    Deletes in batches so a large backlog never holds one huge lock, and records the purge itself.
    """
    days = settings.AUDIT_RETENTION_DAYS if older_than_days is None else older_than_days
    if days < 1:
        raise ValueError("The audit retention must be at least one day.")
    cutoff = timezone.now() - timedelta(days=days)
    deleted = 0
    while True:
        with transaction.atomic():
            batch = list(AuditEntry.objects.filter(at__lt=cutoff).order_by().values_list("pk", flat=True)[:PURGE_BATCH])
            if not batch:
                break
            deleted += AuditEntry.objects.filter(pk__in=batch).delete()[0]
    if deleted:
        audit_record(
            action=AuditAction.AUDIT_PURGED,
            actor=actor,
            username="" if actor else "system",
            details={"deleted": deleted, "older_than_days": days, "before": cutoff.isoformat()},
        )
    return deleted
