"""The record of syncs: each run, the hotlines it stages until every page has arrived, and what it changed."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..choices import ChangeKind, SyncStatus, SyncTrigger, TenantSyncState
from .connections import Connection
from .hotlines import Hotline


class SyncRun(models.Model):
    """One attempt to mirror a connection's hotlines, with its figures and outcome."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="sync_runs")
    trigger = models.CharField(_("trigger"), max_length=20, choices=SyncTrigger.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=20, choices=SyncStatus.choices, default=SyncStatus.RUNNING)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    pages = models.PositiveIntegerField(_("pages"), default=0)
    fetched = models.PositiveIntegerField(_("fetched"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    removed = models.PositiveIntegerField(_("removed"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    duplicates = models.PositiveIntegerField(_("duplicates ignored"), default=0)
    error = models.TextField(_("error"), blank=True)
    # How a failed run's eTelecom error reads: True transient (the network or eTelecom had a moment),
    # False permanent (a person must change the key, the address or a certificate), None otherwise.
    retryable = models.BooleanField(_("worth retrying"), null=True, default=None)
    task_id = models.CharField(max_length=64, blank=True, help_text="The background task running it, if any.")
    # The tenant list, read in the same run and published with the hotlines.
    tenants = models.CharField(
        _("tenants"), max_length=20, choices=TenantSyncState.choices, blank=True, default=TenantSyncState.PENDING
    )
    tenant_pages = models.PositiveIntegerField(_("tenant pages"), default=0)
    tenants_fetched = models.PositiveIntegerField(_("tenants fetched"), default=0)
    tenants_created = models.PositiveIntegerField(_("tenants created"), default=0)
    tenants_updated = models.PositiveIntegerField(_("tenants updated"), default=0)
    tenants_removed = models.PositiveIntegerField(_("tenants removed"), default=0)
    tenants_unchanged = models.PositiveIntegerField(_("tenants unchanged"), default=0)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("sync run")
        verbose_name_plural = _("sync runs")
        constraints = [
            # Single flight, decided by the database: one queued or running sync per connection.
            models.UniqueConstraint(
                fields=["connection"],
                condition=Q(status__in=["queued", "running"]),
                name="syncrun_one_active_per_connection",
            ),
        ]
        indexes = [models.Index(fields=["status", "-finished_at"], name="syncrun_status_finished")]

    def __str__(self) -> str:
        return f"{self.connection} #{self.pk} ({self.status})"

    def get_absolute_url(self) -> str:
        """The run's detail page."""
        return reverse("hotlines:sync-detail", args=[self.pk])

    @property
    def tenant_duplicates(self) -> int:
        """Tenants fetched again under an ID already seen in the run (the first copy was kept).
        Derived, so that `duplicates` stays the hotlines' and their figures add up."""
        kept = self.tenants_created + self.tenants_updated + self.tenants_unchanged
        return max(self.tenants_fetched - kept, 0) if self.tenants == TenantSyncState.SYNCED else 0

    @property
    def duration(self) -> timedelta | None:
        """How long a finished run took; None while it runs."""
        if self.finished_at and self.started_at:
            return self.finished_at - self.started_at
        return None


class StagedState(models.IntegerChoices):
    """How a staged hotline compares with the current snapshot, decided when its page arrived."""

    SAME = 0, "same"
    NEW = 1, "new"
    CHANGED = 2, "changed"
    REAPPEARED = 3, "reappeared"


class StagedHotline(models.Model):
    """A hotline fetched by a running sync, held here until every page has arrived.

    Rows identical to the current snapshot are staged by ID only (the content columns keep their
    empty defaults); the others carry the values `Hotline` will get, so applying is set-based SQL.
    """

    # No database FK: a sync stages up to millions of rows and deletes them itself, so a per-row
    # integrity check would only slow it down. The unique constraint below indexes sync_run first.
    sync_run = models.ForeignKey(
        SyncRun, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    etelecom_id = models.CharField(max_length=32)
    state = models.PositiveSmallIntegerField(choices=StagedState.choices)
    hotline = models.CharField(max_length=32, db_default="")
    name = models.CharField(max_length=500, db_default="")
    description = models.TextField(db_default="")
    network = models.CharField(max_length=50, db_default="")
    status = models.CharField(max_length=50, db_default="")
    is_free_charge = models.BooleanField(null=True)
    upstream_connection_id = models.CharField(max_length=32, db_default="")
    connection_method = models.CharField(max_length=100, db_default="")
    owner_id = models.CharField(max_length=32, db_default="")
    created_at = models.DateTimeField(null=True)
    updated_at = models.DateTimeField(null=True)
    raw = models.JSONField(null=True)
    content_hash = models.CharField(max_length=64, db_default="")
    search_text = models.TextField(db_default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sync_run", "etelecom_id"], name="staged_unique_per_run"),
        ]

    def __str__(self) -> str:
        return f"run {self.sync_run_id}: {self.etelecom_id}"


class HotlineChange(models.Model):
    """What one sync changed in one hotline: a field's old and new value, or its (re)appearance/removal."""

    hotline = models.ForeignKey(Hotline, on_delete=models.CASCADE, related_name="changes")
    sync_run = models.ForeignKey(SyncRun, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=20, choices=ChangeKind.choices)
    field = models.CharField(max_length=50, blank=True)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["hotline", "-changed_at"], name="change_hotline_time")]

    def __str__(self) -> str:
        return f"{self.hotline_id} {self.kind} {self.field}"
