"""The local mirror of a partner's eTelecom hotlines, and the record of syncs."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .choices import ChangeKind, HotlineStatus, Network, SyncStatus, SyncTrigger, label_for
from .collation import DB_COLLATION
from .fields import EncryptedTextField


class Connection(models.Model):
    """One eTelecom partner account (base URL + API key) that hotlines are synced from."""

    # Vietnamese order (CLDR) on both databases: see collation.py.
    name = models.CharField(_("name"), max_length=100, unique=True, db_collation=DB_COLLATION)
    base_url = models.URLField(_("base URL"), max_length=500)
    api_key = EncryptedTextField(_("API key"))
    page_size = models.PositiveIntegerField(_("page size"), default=100)
    timeout = models.FloatField(_("timeout (seconds)"), default=30.0)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("connection")
        verbose_name_plural = _("connections")

    def __str__(self) -> str:
        return self.name

    @property
    def masked_api_key(self) -> str:
        """The key as shown to people: only its last four characters."""
        return f"••••{self.api_key[-4:]}" if self.api_key else ""


class Hotline(models.Model):
    """A hotline as last seen upstream; rows that vanish upstream are kept, marked removed."""

    # No index of its own: the unique (connection, etelecom_id) constraint's index starts with it.
    connection = models.ForeignKey(Connection, on_delete=models.PROTECT, related_name="hotlines", db_index=False)
    # Upstream fields, named as the API names them (64-bit IDs kept as exact strings).
    etelecom_id = models.CharField(_("ID"), max_length=32)
    hotline = models.CharField(_("hotline"), max_length=32)
    # Sorted by people: Vietnamese order (CLDR) on both databases, and so is the index
    # `hotline_live_name` that serves the sort (see collation.py and migration 0009).
    name = models.CharField(_("name"), max_length=500, blank=True, db_collation=DB_COLLATION)
    description = models.TextField(_("description"), blank=True, db_collation=DB_COLLATION)
    network = models.CharField(_("network"), max_length=50, blank=True)
    status = models.CharField(_("status"), max_length=50, blank=True)
    is_free_charge = models.BooleanField(_("free of charge"), null=True)
    upstream_connection_id = models.CharField(_("connection ID"), max_length=32, blank=True)
    connection_method = models.CharField(_("connection method"), max_length=100, blank=True)
    owner_id = models.CharField(_("owner ID"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("created"), null=True)
    updated_at = models.DateTimeField(_("updated"), null=True)
    raw = models.JSONField(_("payload as received"), default=dict)

    # Local bookkeeping.
    content_hash = models.CharField(max_length=64)
    search_text = models.TextField(blank=True, help_text="Name and description, lowercased, without accents.")
    is_removed = models.BooleanField(_("removed"), default=False)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    first_seen_at = models.DateTimeField(_("first seen"), auto_now_add=True)
    last_changed_at = models.DateTimeField(_("last changed"), null=True, blank=True)

    class Meta:
        verbose_name = _("hotline")
        verbose_name_plural = _("hotlines")
        constraints = [
            models.UniqueConstraint(fields=["connection", "etelecom_id"], name="hotline_unique_upstream_id"),
        ]
        indexes = [
            models.Index(fields=["is_removed", "-created_at", "-id"], name="hotline_live_created"),
            models.Index(fields=["is_removed", "-updated_at", "-id"], name="hotline_live_updated"),
            # Every sortable column of the live list, with the `id` that breaks ties: sorted by
            # status (three values), a page otherwise sorts a third of the table by id, 2 s at
            # 1,000,000 rows. Partial (live rows only), so that a filter on the sorted column
            # (status IN (…)) is the index's first column and PostgreSQL keeps the order.
            *(
                models.Index(fields=[field, "id"], condition=models.Q(is_removed=False), name=f"hotline_live_{short}")
                for field, short in (
                    ("status", "status"),
                    ("network", "network"),
                    ("hotline", "number"),
                    ("name", "name"),
                    ("is_free_charge", "free"),
                    ("connection_method", "method"),
                    ("owner_id", "owner"),
                    ("etelecom_id", "upstream_id"),
                )
            ),
            models.Index(fields=["last_changed_at", "id"], name="hotline_last_changed_id"),
        ]
        # PostgreSQL also has GIN indexes, made by migrations alone: trigrams for the quick search
        # (0005) and status with network (0008). See services/sync/deferred_indexes.py.
        permissions = [
            ("export_hotline", _("Can export hotlines")),
            ("run_sync", _("Can run a sync")),
        ]

    def __str__(self) -> str:
        return f"{self.hotline} {self.name}".strip()

    def get_absolute_url(self) -> str:
        return reverse("hotlines:detail", args=[self.pk])

    @property
    def status_label(self) -> str:
        return label_for(HotlineStatus, self.status)

    @property
    def network_label(self) -> str:
        return label_for(Network, self.network)


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
        return reverse("hotlines:sync-detail", args=[self.pk])

    @property
    def duration(self):
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


class UserPreference(models.Model):
    """What a user chose for the list: rows per page, visible columns and their order, language."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hotline_preference")
    per_page = models.PositiveSmallIntegerField(null=True, blank=True)
    columns = models.JSONField(default=list, blank=True, help_text="Visible column names in order; empty = default.")
    language = models.CharField(max_length=10, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("user preference")
        verbose_name_plural = _("user preferences")

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel"
    JSON = "json", "JSON"


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ExportRecord(models.Model):
    """One export of the hotline list: who, when, which format and filters, how many rows."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    username = models.CharField(max_length=150, blank=True, help_text="Kept if the user is deleted.")
    created_at = models.DateTimeField(_("requested"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    format = models.CharField(_("format"), max_length=10, choices=ExportFormat.choices)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    columns = models.JSONField(_("columns"), default=list, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.DONE)
    background = models.BooleanField(_("in background"), default=False)
    progress = models.PositiveIntegerField(default=0, help_text="Rows written so far (background exports).")
    file = models.FileField(upload_to="exports/", blank=True)
    filename = models.CharField(max_length=255, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self) -> str:
        return f"{self.format} export #{self.pk} by {self.username}"


class AuditAction(models.TextChoices):
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
