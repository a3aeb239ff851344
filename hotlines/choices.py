"""Choices for the values eTelecom documents; anything else is kept as received."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class HotlineStatus(models.TextChoices):
    NEW = "Z", _("New")
    ENABLED = "P", _("Enabled")
    DISABLED = "N", _("Disabled")


class Network(models.TextChoices):
    VIETTEL = "viettel", "Viettel"
    MOBIFONE = "mobifone", "Mobifone"
    VINAPHONE = "vinaphone", "Vinaphone"
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class SyncTrigger(models.TextChoices):
    COMMAND = "command", _("Command")
    BUTTON = "button", _("Button")
    SCHEDULE = "schedule", _("Schedule")


class SyncStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


# A queued or running sync: at most one per connection (single flight).
ACTIVE_SYNC_STATUSES = (SyncStatus.QUEUED, SyncStatus.RUNNING)


class TenantSyncState(models.TextChoices):
    """What a sync run did with the tenant list."""

    PENDING = "", _("Not read yet")  # running, failed before the tenants, or a run from before tenants
    SYNCED = "synced", _("Synced")
    # eTelecom refused this key the tenant list (403 permission_denied, or no such method):
    # the hotlines synced, the tenants kept as they were.
    UNAVAILABLE = "unavailable", _("Not available to this key")


class ChangeKind(models.TextChoices):
    APPEARED = "appeared", _("Appeared")
    CHANGED = "changed", _("Changed")
    REMOVED = "removed", _("Removed")
    REAPPEARED = "reappeared", _("Reappeared")


def label_for(choices: type[models.TextChoices], value: str | None) -> str:
    """The human label of a known value, or the value itself as received."""
    if value is None or value == "":
        return "—"
    try:
        return str(choices(value).label)
    except ValueError:
        return value
