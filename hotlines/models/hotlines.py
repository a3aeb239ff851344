"""The mirror itself: one row per hotline as last seen upstream."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..choices import HotlineStatus, Network, label_for
from ..collation import DB_COLLATION
from .connections import Connection

# The facet columns every sort index carries (INCLUDE), for the list's facet filters.
FACETS_CARRIED = ["status", "network"]


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
        # The sort indexes carry the facets' columns (PostgreSQL's INCLUDE; SQLite has none,
        # Django leaves it out there, and migration 0021 puts them at the end of the key): a page
        # filtered by status and network finds its IDs in the index alone, without fetching
        # every skipped row (selectors/sort_plans.py).
        indexes = [
            models.Index(
                fields=["is_removed", "-created_at", "-id"], name="hotline_live_created", include=FACETS_CARRIED
            ),
            models.Index(
                fields=["is_removed", "-updated_at", "-id"], name="hotline_live_updated", include=FACETS_CARRIED
            ),
            # Every sortable column of the live list, with the `id` that breaks ties: sorted by
            # status (three values), a page otherwise sorts a third of the table by id, 2 s at
            # 1,000,000 rows. Partial (live rows only), so that a filter on the sorted column
            # (status IN (…)) is the index's first column and PostgreSQL keeps the order.
            *(
                models.Index(
                    fields=[field, "id"],
                    condition=models.Q(is_removed=False),
                    name=f"hotline_live_{short}",
                    include=[name for name in FACETS_CARRIED if name != field],
                )
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
            # A tenant's hotlines (the list's `tenant` filter: its connection and owner) in the
            # default order: a big tenant's first page is read straight from here instead of
            # walking the date index past every other owner's hotlines (16 ms at 1,000,000 rows).
            models.Index(
                fields=["connection", "owner_id", "-created_at", "-id"],
                condition=models.Q(is_removed=False),
                name="hotline_live_owner_created",
            ),
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
        """The hotline's detail page."""
        return reverse("hotlines:detail", args=[self.pk])

    @property
    def status_label(self) -> str:
        """The status as people read it."""
        return label_for(HotlineStatus, self.status)

    @property
    def network_label(self) -> str:
        """The network as people read it."""
        return label_for(Network, self.network)
