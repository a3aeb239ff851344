"""Saved views of the hotline list, the watches people keep on views and hotlines, and what each
sync told them (notifications with their per-hotline events, and the email digest per sync)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .hotlines import Hotline
from .syncs import SyncRun


class SavedView(models.Model):
    """A named state of the hotline list (filters, search, sort and columns), private to its owner
    or shared with everyone who may browse. Its address (`/views/<pk>/`) never changes."""

    name = models.CharField(_("name"), max_length=100)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    shared = models.BooleanField(_("shared"), default=False)
    # The list's canonical query string without paging (filters, `q`, `sort`), as the list writes it.
    query = models.TextField(_("query"), blank=True)
    columns = models.JSONField(_("columns"), default=list, blank=True, help_text="Visible columns; empty = default.")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="savedview_unique_name_per_owner")]
        indexes = [models.Index(fields=["shared", "name"], name="savedview_shared_name")]
        # Operators and Administrators share views; Administrators (change/delete_savedview) may
        # edit or delete anyone's shared view.
        permissions = [("share_savedview", _("Can share saved views"))]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        """The view's stable address: it opens the hotline list in the view's state."""
        return reverse("hotlines:view-open", args=[self.pk])


class SavedViewPin(models.Model):
    """A saved view one person keeps on their home page."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="view_pins")
    view = models.ForeignKey(SavedView, on_delete=models.CASCADE, related_name="pins")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "view"], name="savedviewpin_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} pins {self.view_id}"


class ViewSyncDelta(models.Model):
    """How many hotlines entered and left a saved view in one sync (the home page's "since the
    last sync"), written by the watch worker for every saved view after a sync that changed data."""

    view = models.ForeignKey(SavedView, on_delete=models.CASCADE, related_name="deltas")
    sync_run = models.ForeignKey(SyncRun, on_delete=models.CASCADE, related_name="+")
    entered = models.PositiveIntegerField(default=0)
    left = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["view", "sync_run"], name="viewsyncdelta_unique")]

    def __str__(self) -> str:
        return f"view {self.view_id} run {self.sync_run_id}: +{self.entered} -{self.left}"


class Watch(models.Model):
    """One person watching a saved view (their own or a shared one) or a single hotline."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watches")
    view = models.ForeignKey(SavedView, on_delete=models.CASCADE, null=True, blank=True, related_name="watches")
    hotline = models.ForeignKey(Hotline, on_delete=models.CASCADE, null=True, blank=True, related_name="watches")
    # Dashboard only (False), or dashboard and email (True).
    email = models.BooleanField(_("also by email"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("watch")
        verbose_name_plural = _("watches")
        constraints = [
            models.CheckConstraint(
                condition=Q(view__isnull=False, hotline__isnull=True) | Q(view__isnull=True, hotline__isnull=False),
                name="watch_view_xor_hotline",
            ),
            models.UniqueConstraint(
                fields=["user", "view"], condition=Q(view__isnull=False), name="watch_unique_view_per_user"
            ),
            models.UniqueConstraint(
                fields=["user", "hotline"], condition=Q(hotline__isnull=False), name="watch_unique_hotline_per_user"
            ),
        ]

    def __str__(self) -> str:
        target = f"view {self.view_id}" if self.view_id else f"hotline {self.hotline_id}"
        return f"{self.user_id} watches {target}"


class NotificationKind(models.TextChoices):
    """What a notification tells."""

    WATCH = "watch", _("Changes in a watch")
    SYNC_FAILED = "sync_failed", _("Sync failed")


class Notification(models.Model):
    """One person's news from one sync: what it changed in one of their watches, or that it failed
    (told only to the person who asked for the sync, and to administrators)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    sync_run = models.ForeignKey(SyncRun, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    # Kept when the watch is removed: the notification stays readable, named by `subject`.
    watch = models.ForeignKey(Watch, on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications")
    subject = models.CharField(_("subject"), max_length=300, blank=True, help_text="The view's name or the number.")
    entered = models.PositiveIntegerField(_("entered"), default=0)
    left = models.PositiveIntegerField(_("left"), default=0)
    changed = models.PositiveIntegerField(_("changed"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            # Exactly once per watch and sync: a retried computation finds the row and adds nothing.
            models.UniqueConstraint(
                fields=["watch", "sync_run"], condition=Q(watch__isnull=False), name="notification_once_per_watch_run"
            ),
            models.UniqueConstraint(
                fields=["user", "sync_run"], condition=Q(kind="sync_failed"), name="notification_one_failure_per_run"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="notification_user_time"),
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind} run {self.sync_run_id} {self.subject}"


class WatchEventKind(models.TextChoices):
    """How one hotline concerns one watch after a sync."""

    ENTERED = "entered", _("Entered the view")
    LEFT = "left", _("Left the view")
    CHANGED = "changed", _("Changed")


class WatchEvent(models.Model):
    """What one sync changed in one hotline, as it concerns one watch (its notification): the hotline
    entered or left the view, or fields of it changed (old → new in `changes`)."""

    # A sync with 10,000 changes and hundreds of watchers writes hundreds of thousands of events, so
    # each row carries as little as it can: the unique (notification, hotline) index serves every
    # read by notification, and the hotline needs neither an index (events are read by notification)
    # nor a database constraint (hotlines are never deleted, only marked removed; the ORM still
    # cascades should one be). Measured in `make bench` (suite watches).
    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="events", db_index=False)
    hotline = models.ForeignKey(
        Hotline, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    kind = models.CharField(_("kind"), max_length=10, choices=WatchEventKind.choices)
    # [{"field": "status", "old": "P", "new": "N"}, ...]; "removed"/"reappeared" as fields too.
    changes = models.JSONField(_("changes"), default=list, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            # Deduplicated by sync run, watch and hotline (the notification is the run and watch).
            models.UniqueConstraint(fields=["notification", "hotline"], name="watchevent_once_per_hotline")
        ]

    def __str__(self) -> str:
        return f"{self.notification_id} {self.hotline_id} {self.kind}"


class DigestStatus(models.TextChoices):
    """Where one person's email digest for one sync stands."""

    PENDING = "pending", _("Waiting")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class EmailDigest(models.Model):
    """The one email a person gets for one sync (all their emailed watches' changes), so that a
    worker restarted mid-delivery sends it once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sync_run = models.ForeignKey(SyncRun, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=DigestStatus.choices, default=DigestStatus.PENDING)
    tries = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "sync_run"], name="emaildigest_once_per_user_run")]

    def __str__(self) -> str:
        return f"digest {self.user_id} run {self.sync_run_id} ({self.status})"
