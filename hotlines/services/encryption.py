"""Re-encrypt every secret stored at rest with the newest FIELD_ENCRYPTION_KEY."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.apps import apps
from django.db import transaction
from django.db.models import TextField, Value
from django.db.models.functions import Cast

from ..fields import EncryptedTextField, is_current, rotate
from ..models import AuditAction
from .audit import audit_record

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RotationResult:
    """How many stored secrets were re-encrypted, and how many were still under an older key before."""

    rotated: int
    were_old: int
    fields: tuple[str, ...]


def encrypted_fields() -> list[tuple[type, str]]:
    """Every (model, field name) stored with EncryptedTextField, across installed apps."""
    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    ]


def _raw_tokens(model, field: str):
    # Cast to a plain text field: the stored token as is, without the field's decryption.
    return (
        model._default_manager.select_for_update().annotate(_token=Cast(field, TextField())).values_list("pk", "_token")
    )


def encryption_keys_status() -> dict[str, int]:
    """Stored secrets per state: `current` (newest key) and `old` (an older key still needed)."""
    status = {"current": 0, "old": 0}
    with transaction.atomic():
        for model, field in encrypted_fields():
            for _pk, token in _raw_tokens(model, field):
                if token:
                    status["current" if is_current(token) else "old"] += 1
    return status


def encryption_keys_rotate(*, actor=None) -> RotationResult:
    """Re-encrypt every stored secret with the newest key (MultiFernet.rotate), in one transaction.

    Afterwards every key but the newest can be removed from FIELD_ENCRYPTION_KEY.
    """
    rotated = were_old = 0
    names = []
    with transaction.atomic():
        for model, field in encrypted_fields():
            names.append(f"{model._meta.label}.{field}")
            for pk, token in _raw_tokens(model, field):
                if not token:
                    continue
                were_old += not is_current(token)
                # Value(..., TextField()) writes the new token as is (no second encryption).
                model._default_manager.filter(pk=pk).update(**{field: Value(rotate(token), output_field=TextField())})
                rotated += 1
        result = RotationResult(rotated=rotated, were_old=were_old, fields=tuple(names))
        audit_record(
            action=AuditAction.KEYS_ROTATED,
            actor=actor,
            username="" if actor else "system",
            target=", ".join(names),
            details={"rotated": rotated, "were_old": were_old},
        )
    logger.info("re-encrypted %d stored secrets (%d were under an older key)", rotated, were_old)
    return result
