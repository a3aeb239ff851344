"""The email digests, read-only in the admin: which were sent, which failed and why."""

from __future__ import annotations

from django.contrib import admin

from ..models import EmailDigest
from .mixins import HistoryAdmin


@admin.register(EmailDigest)
class EmailDigestAdmin(HistoryAdmin):
    """Every digest with its state, tries and last error (services/digests.py alone changes them)."""

    list_display = ["pk", "user", "sync_run", "status", "tries", "claimed_at", "sent_at", "error"]
    list_filter = ["status"]
    raw_id_fields = ["user", "sync_run"]
    readonly_fields = [f.name for f in EmailDigest._meta.fields]
    list_select_related = ["user", "sync_run"]
