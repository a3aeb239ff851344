"""Administrators' changes to webhooks: add, edit, delete, activate or deactivate, rotate the
secret; and the failure count deliveries keep (disabling a webhook past its limit).

The secret is write-only: generated (or given) on add and rotate, returned once to be shown once,
stored encrypted (EncryptedTextField), never logged or audited. Every change is audited by field name.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_variables

from ...models import AuditAction, Watch, Webhook
from ..audit import audit_record
from .addresses import webhook_url_clean
from .signing import MAX_SECRET_LENGTH, MIN_SECRET_LENGTH, webhook_secret_generate

logger = logging.getLogger(__name__)

FAILURE_LIMIT_RANGE = (1, 1000)


def webhook_secret_clean(secret: str) -> str:
    """A secret an administrator typed, or ValidationError: 16 to 200 visible ASCII characters."""
    secret = (secret or "").strip()
    if not MIN_SECRET_LENGTH <= len(secret) <= MAX_SECRET_LENGTH:
        raise ValidationError(_("Between 16 and 200 characters."), code="length")
    if not all(33 <= ord(c) < 127 for c in secret):
        raise ValidationError(_("Letters, digits and punctuation only (no spaces, no accents)."), code="charset")
    return secret


def _validate(*, name: str, url: str, failure_limit: int) -> dict[str, Any]:
    errors: dict[str, list[ValidationError]] = {}
    cleaned: dict[str, Any] = {"name": (name or "").strip(), "failure_limit": failure_limit}
    if not cleaned["name"]:
        errors["name"] = [ValidationError(_("A name is required."), code="required")]
    elif len(cleaned["name"]) > 100:
        errors["name"] = [ValidationError(_("At most 100 characters."), code="max_length")]
    try:
        cleaned["url"] = webhook_url_clean(url)
    except ValidationError as exc:
        errors["url"] = exc.error_list
    if not isinstance(failure_limit, int) or not FAILURE_LIMIT_RANGE[0] <= failure_limit <= FAILURE_LIMIT_RANGE[1]:
        errors["failure_limit"] = [ValidationError(_("Between 1 and 1,000."), code="range")]
    if errors:
        raise ValidationError(errors)
    return cleaned


def _watch_ids(watches) -> set[int]:
    ids = {w.pk if isinstance(w, Watch) else int(w) for w in watches}
    if len(ids) != Watch.objects.filter(pk__in=ids).count():
        raise ValidationError({"watches": [ValidationError(_("A chosen watch no longer exists."), code="missing")]})
    return ids


def webhook_audit(*, action: AuditAction, webhook: Webhook, actor=None, request=None, **details: Any) -> None:
    """Audit a change to a webhook: its id and name, never its secret."""
    audit_record(
        action=action,
        actor=actor,
        request=request,
        target=f"webhook {webhook.name}"[:255],
        details={"webhook_id": webhook.pk, **details},
    )


@sensitive_variables("secret")
@transaction.atomic
def webhook_create(
    *,
    name: str,
    url: str,
    watches=(),
    failure_limit: int = 10,
    secret: str = "",
    actor=None,
    request: HttpRequest | None = None,
) -> tuple[Webhook, str]:
    """Add a webhook; returns it and its secret (the given one, or a generated one) to show once."""
    cleaned = _validate(name=name, url=url, failure_limit=failure_limit)
    secret = webhook_secret_clean(secret) if secret else webhook_secret_generate()
    watch_ids = _watch_ids(watches)
    actor = actor or (request.user if request is not None and request.user.is_authenticated else None)
    webhook = Webhook.objects.create(**cleaned, secret=secret, created_by=actor)
    webhook.watches.set(watch_ids)
    webhook_audit(
        action=AuditAction.WEBHOOK_CREATED,
        webhook=webhook,
        actor=actor,
        request=request,
        fields=["name", "url", "watches", "failure_limit", "secret"],
        watches=sorted(watch_ids),
    )
    logger.info("webhook %s added", webhook.pk)
    return webhook, secret


@transaction.atomic
def webhook_update(
    *,
    webhook: Webhook,
    name: str,
    url: str,
    watches=(),
    failure_limit: int,
    actor=None,
    request: HttpRequest | None = None,
) -> list[str]:
    """Change a webhook's name, URL, watches and failure limit; returns the names of the fields that changed."""
    webhook = Webhook.objects.select_for_update().get(pk=webhook.pk)
    cleaned = _validate(name=name, url=url, failure_limit=failure_limit)
    watch_ids = _watch_ids(watches)
    changed = [field for field, value in cleaned.items() if getattr(webhook, field) != value]
    before = set(webhook.watches.values_list("pk", flat=True))
    for field in changed:
        setattr(webhook, field, cleaned[field])
    if changed:
        webhook.save(update_fields=[*changed, "updated_at"])
    if before != watch_ids:
        webhook.watches.set(watch_ids)
        changed.append("watches")
    if changed:
        webhook_audit(
            action=AuditAction.WEBHOOK_CHANGED,
            webhook=webhook,
            actor=actor,
            request=request,
            fields=changed,
            **({"watches": sorted(watch_ids)} if "watches" in changed else {}),
        )
    return changed


@transaction.atomic
def webhook_delete(*, webhook: Webhook, actor=None, request: HttpRequest | None = None) -> None:
    """Delete a webhook and its delivery log (audited, with how many deliveries went with it)."""
    deliveries = webhook.deliveries.count()
    webhook_audit(
        action=AuditAction.WEBHOOK_DELETED, webhook=webhook, actor=actor, request=request, deliveries=deliveries
    )
    webhook.delete()


@transaction.atomic
def webhook_set_active(*, webhook: Webhook, is_active: bool, actor=None, request: HttpRequest | None = None) -> bool:
    """Activate or deactivate a webhook; activating starts its failure count afresh and clears the
    reason it was disabled. True when it changed."""
    changes: dict[str, Any] = {"is_active": is_active}
    if is_active:
        changes.update(consecutive_failures=0, disabled_reason="")
    updated = Webhook.objects.filter(pk=webhook.pk).exclude(is_active=is_active).update(**changes)
    for field, value in changes.items():
        setattr(webhook, field, value)
    if updated:
        action = AuditAction.WEBHOOK_ACTIVATED if is_active else AuditAction.WEBHOOK_DEACTIVATED
        webhook_audit(action=action, webhook=webhook, actor=actor, request=request, fields=["is_active"])
    return bool(updated)


@sensitive_variables("secret")
@transaction.atomic
def webhook_secret_rotate(*, webhook: Webhook, secret: str = "", actor=None, request: HttpRequest | None = None) -> str:
    """Replace the signing secret (the given one, or a generated one); returns it to show once.
    Deliveries already waiting are signed with the new one when they are next tried."""
    secret = webhook_secret_clean(secret) if secret else webhook_secret_generate()
    Webhook.objects.filter(pk=webhook.pk).update(secret=secret)
    webhook.secret = secret
    webhook_audit(
        action=AuditAction.WEBHOOK_SECRET_ROTATED, webhook=webhook, actor=actor, request=request, fields=["secret"]
    )
    return secret


def webhook_delivery_counted(*, webhook_id: int, delivered: bool) -> bool:
    """Count a delivery's end for its webhook: delivered starts the count afresh; given up adds
    one, and at `failure_limit` in a row disables the webhook with the reason. True when it was
    disabled by this call."""
    if delivered:
        Webhook.objects.filter(pk=webhook_id, consecutive_failures__gt=0).update(consecutive_failures=0)
        return False
    with transaction.atomic():
        Webhook.objects.filter(pk=webhook_id).update(consecutive_failures=F("consecutive_failures") + 1)
        webhook = Webhook.objects.select_for_update().filter(pk=webhook_id).first()
        if webhook is None or not webhook.is_active or webhook.consecutive_failures < webhook.failure_limit:
            return False
        # Stored in the site's language at the time; the page shows it as written.
        count = webhook.consecutive_failures
        reason = ngettext(
            "Disabled after %(count)s delivery failed (after all its tries).",
            "Disabled after %(count)s deliveries in a row failed (each after all its tries).",
            count,
        ) % {"count": count}
        Webhook.objects.filter(pk=webhook_id).update(is_active=False, disabled_reason=reason)
        audit_record(
            action=AuditAction.WEBHOOK_DEACTIVATED,
            username="system",
            target=f"webhook {webhook.name}"[:255],
            details={"webhook_id": webhook_id, "reason": reason, "consecutive_failures": webhook.consecutive_failures},
        )
        logger.warning("webhook %s disabled after %s failed deliveries", webhook_id, webhook.consecutive_failures)
        return True
