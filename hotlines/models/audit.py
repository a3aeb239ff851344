"""The audit log: what people did that admins may need to see later."""

from django.conf import settings
from django.db import models
from django.db.models import F
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    """What an audit entry records."""

    SIGN_IN = "sign_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
    SIGN_IN_LOCKED = "sign_in_locked", _("Locked out after failed sign-ins")
    SIGN_OUT = "sign_out", _("Signed out")
    EXPORT = "export", _("Exported hotlines")
    SYNC_REQUESTED = "sync_requested", _("Requested a sync")
    CONNECTION_CREATED = "connection_created", _("Added a connection")
    CONNECTION_CHANGED = "connection_changed", _("Changed a connection")
    CONNECTION_TESTED = "connection_tested", _("Tested a connection")
    KEYS_ROTATED = "keys_rotated", _("Re-encrypted the API keys")
    USER_CREATED = "user_created", _("Added a user")
    USER_CHANGED = "user_changed", _("Changed a user")
    ROLES_CHANGED = "roles_changed", _("Changed a user's roles")
    AUDIT_PURGED = "audit_purged", _("Purged old audit entries")
    WEBHOOK_CREATED = "webhook_created", _("Added a webhook")
    WEBHOOK_CHANGED = "webhook_changed", _("Changed a webhook")
    WEBHOOK_DELETED = "webhook_deleted", _("Deleted a webhook")
    WEBHOOK_SECRET_ROTATED = "webhook_secret_rotated", _("Rotated a webhook's secret")
    WEBHOOK_ACTIVATED = "webhook_activated", _("Activated a webhook")
    WEBHOOK_DEACTIVATED = "webhook_deactivated", _("Deactivated a webhook")


class AuditEntry(models.Model):
    """Something a person did that admins may need to see later. Never holds a secret's value."""

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    actor_username = models.CharField(_("who"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=40, choices=AuditAction.choices)
    target = models.CharField(_("target"), max_length=255, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [
            models.Index(fields=["action", "-at"], name="audit_action_at"),
            # The audit page's user filter (case-insensitive: UPPER(actor_username) = UPPER(...)).
            models.Index(Upper("actor_username"), F("at").desc(), name="audit_actor_upper_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action}"
