"""The record of exports of the browsing lists (hotlines, tenants)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportFormat(models.TextChoices):
    """The file formats an export can be written in."""

    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel"
    JSON = "json", "JSON"


class ExportKind(models.TextChoices):
    """Which list an export holds the rows of."""

    HOTLINES = "hotlines", _("Hotlines")
    TENANTS = "tenants", _("Tenants")


class ExportStatus(models.TextChoices):
    """Where an export stands."""

    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ExportRecord(models.Model):
    """One export of a list (hotlines or tenants): who, when, which format and filters, how many rows."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    username = models.CharField(max_length=150, blank=True, help_text="Kept if the user is deleted.")
    created_at = models.DateTimeField(_("requested"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Exports from before tenants were all of hotlines: the default says so for old rows too.
    kind = models.CharField(_("list"), max_length=20, choices=ExportKind.choices, default=ExportKind.HOTLINES)
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
