"""Webhooks administrators point at their own systems: which watches each carries, and the log of
every delivery (signed JSON, retried with backoff, each with its idempotency key)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..fields import EncryptedTextField
from .syncs import SyncRun
from .watches import Watch

DEFAULT_FAILURE_LIMIT = 10


class Webhook(models.Model):
    """An address that receives, per sync and per chosen watch, what changed (signed with `secret`)."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    # Encrypted at rest like API keys; shown once when made, never again.
    secret = EncryptedTextField(_("signing secret"))
    watches = models.ManyToManyField(Watch, blank=True, related_name="webhooks", verbose_name=_("watches"))
    is_active = models.BooleanField(_("active"), default=True)
    # Disabled after this many deliveries in a row gave up (each after its retries).
    failure_limit = models.PositiveSmallIntegerField(_("failures before disabling"), default=DEFAULT_FAILURE_LIMIT)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_reason = models.TextField(_("why disabled"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.name


class DeliveryStatus(models.TextChoices):
    """Where one webhook delivery stands."""

    PENDING = "pending", _("Waiting")
    DELIVERING = "delivering", _("Delivering")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """One payload for one webhook (per sync and watch, or a test), its body fixed when made so
    that every try sends the same bytes under the same idempotency key."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    sync_run = models.ForeignKey(SyncRun, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    watch = models.ForeignKey(Watch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    event = models.CharField(_("event"), max_length=40)
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    body = models.TextField()
    status = models.CharField(
        _("status"), max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    tries = models.PositiveSmallIntegerField(_("tries"), default=0)
    next_try_at = models.DateTimeField(null=True, blank=True)
    last_try_at = models.DateTimeField(_("last try"), null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    # Every try: [{"at": iso time, "code": int | null, "error": str, "ms": int}], at most WEBHOOK_TRIES
    # (plus one per recovery), so the log shows how a delivery that failed twice then succeeded went.
    attempts = models.JSONField(_("tries made"), default=list, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            # Exactly once per webhook, sync and watch: a retried dispatch finds the row.
            models.UniqueConstraint(
                fields=["webhook", "sync_run", "watch"],
                condition=Q(sync_run__isnull=False, watch__isnull=False),
                name="webhookdelivery_once_per_run_watch",
            ),
        ]
        indexes = [models.Index(fields=["webhook", "-created_at", "-id"], name="webhookdelivery_log")]

    def __str__(self) -> str:
        return f"{self.webhook_id} {self.event} #{self.pk} ({self.status})"
