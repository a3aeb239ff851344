"""The audit log as the Audit page reads it."""

from __future__ import annotations

from django.db.models import QuerySet

from ..models import AuditEntry


def audit_entry_list() -> QuerySet[AuditEntry]:
    """The audit log, newest first (entries keep the actor's name, so no join is needed)."""
    return AuditEntry.objects.all()
