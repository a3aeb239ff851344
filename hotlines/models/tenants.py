"""The mirror of a partner's tenants (customers' PBXs, `GetPartnerTenantList`), their history,
and the tenants a running sync holds until every page has arrived.

A hotline belongs to the tenants of its connection whose `owner_id` equals its own: the rule
lives in `selectors/tenants.py` alone (the API does not state it; see partner-api.md).
"""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..choices import ChangeKind, HotlineStatus, label_for
from ..collation import DB_COLLATION
from .connections import Connection
from .syncs import StagedState, SyncRun


class Tenant(models.Model):
    """A tenant as last seen upstream; rows that vanish upstream are kept, marked removed."""

    connection = models.ForeignKey(Connection, on_delete=models.PROTECT, related_name="tenants", db_index=False)
    etelecom_id = models.CharField(_("ID"), max_length=32)
    name = models.CharField(_("name"), max_length=500, blank=True, db_collation=DB_COLLATION)
    domain = models.CharField(_("domain"), max_length=255, blank=True)
    owner_id = models.CharField(_("owner ID"), max_length=32, blank=True)
    status = models.CharField(_("status"), max_length=50, blank=True)
    upstream_connection_id = models.CharField(_("connection ID"), max_length=32, blank=True)
    connection_method = models.CharField(_("connection method"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), null=True)
    updated_at = models.DateTimeField(_("updated"), null=True)
    raw = models.JSONField(_("payload as received"), default=dict)

    # Local bookkeeping.
    content_hash = models.CharField(max_length=64)
    search_text = models.TextField(blank=True, help_text="Name and domain, lowercased, without accents.")
    is_removed = models.BooleanField(_("removed"), default=False)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    first_seen_at = models.DateTimeField(_("first seen"), auto_now_add=True)
    last_changed_at = models.DateTimeField(_("last changed"), null=True, blank=True)
    # Its live hotlines, counted when a sync publishes (sortable on the tenant list at any size).
    hotline_count = models.PositiveIntegerField(_("hotlines"), default=0)
    enabled_count = models.PositiveIntegerField(_("enabled hotlines"), default=0)
    disabled_count = models.PositiveIntegerField(_("disabled hotlines"), default=0)

    class Meta:
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")
        constraints = [
            models.UniqueConstraint(fields=["connection", "etelecom_id"], name="tenant_unique_upstream_id"),
        ]
        indexes = [
            # The mapping: a hotline's tenants are its connection's with the same owner.
            models.Index(fields=["connection", "owner_id"], name="tenant_connection_owner"),
            models.Index(fields=["is_removed", "-created_at", "-id"], name="tenant_live_created"),
            # The tenant data version reads MAX(last_changed_at): from this index, not a scan.
            models.Index(fields=["last_changed_at"], name="tenant_last_changed"),
            *(
                models.Index(fields=[field, "id"], condition=models.Q(is_removed=False), name=f"tenant_live_{short}")
                for field, short in (
                    ("name", "name"),
                    ("domain", "domain"),
                    ("status", "status"),
                    ("owner_id", "owner"),
                    ("hotline_count", "hotlines"),
                    ("enabled_count", "enabled"),
                    ("disabled_count", "disabled"),
                    ("etelecom_id", "upstream_id"),
                    ("updated_at", "updated"),
                )
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.domain or self.etelecom_id

    def get_absolute_url(self) -> str:
        """The tenant's detail page."""
        return reverse("hotlines:tenant-detail", args=[self.pk])

    @property
    def status_label(self) -> str:
        """The status as people read it (a tenant's Z/P/N read as a hotline's)."""
        return label_for(HotlineStatus, self.status)


class StagedTenant(models.Model):
    """A tenant fetched by a running sync, held here until the sync publishes (both databases:
    tenants are few beside hotlines, so one path serves both)."""

    sync_run = models.ForeignKey(
        SyncRun, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    etelecom_id = models.CharField(max_length=32)
    state = models.PositiveSmallIntegerField(choices=StagedState.choices)
    name = models.CharField(max_length=500, db_default="")
    domain = models.CharField(max_length=255, db_default="")
    owner_id = models.CharField(max_length=32, db_default="")
    status = models.CharField(max_length=50, db_default="")
    upstream_connection_id = models.CharField(max_length=32, db_default="")
    connection_method = models.CharField(max_length=100, db_default="")
    created_at = models.DateTimeField(null=True)
    updated_at = models.DateTimeField(null=True)
    raw = models.JSONField(null=True)
    content_hash = models.CharField(max_length=64, db_default="")
    search_text = models.TextField(db_default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sync_run", "etelecom_id"], name="staged_tenant_unique_per_run"),
        ]

    def __str__(self) -> str:
        return f"run {self.sync_run_id}: tenant {self.etelecom_id}"


class TenantChange(models.Model):
    """What one sync changed in one tenant: a field's old and new value, or its (re)appearance/removal."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="changes")
    sync_run = models.ForeignKey(SyncRun, on_delete=models.CASCADE, related_name="tenant_changes")
    kind = models.CharField(max_length=20, choices=ChangeKind.choices)
    field = models.CharField(max_length=50, blank=True)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["tenant", "-changed_at"], name="change_tenant_time")]

    def __str__(self) -> str:
        return f"tenant {self.tenant_id} {self.kind} {self.field}"
