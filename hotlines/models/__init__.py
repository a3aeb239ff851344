"""The local mirror of a partner's eTelecom hotlines, and the record of syncs.

One module per job; every model is imported here, so that Django registers them and
`from hotlines.models import ...` keeps working.
"""

# Not sorted: in the order models.py defined them, so Django registers them as before the split
# (the order of get_models(), content types and permissions).
from .connections import Connection  # noqa: I001
from .hotlines import Hotline
from .syncs import HotlineChange, StagedHotline, StagedState, SyncRun
from .preferences import UserPreference
from .exports import ExportFormat, ExportKind, ExportRecord, ExportStatus
from .audit import AuditAction, AuditEntry
from .tenants import StagedTenant, Tenant, TenantChange
from .watches import (
    DigestStatus,
    EmailDigest,
    Notification,
    NotificationKind,
    SavedView,
    SavedViewPin,
    ViewSyncDelta,
    Watch,
    WatchEvent,
    WatchEventKind,
)
from .webhooks import DeliveryStatus, Webhook, WebhookDelivery

__all__ = [
    "AuditAction",
    "AuditEntry",
    "Connection",
    "DeliveryStatus",
    "DigestStatus",
    "EmailDigest",
    "ExportFormat",
    "ExportKind",
    "ExportRecord",
    "ExportStatus",
    "Hotline",
    "HotlineChange",
    "Notification",
    "NotificationKind",
    "SavedView",
    "SavedViewPin",
    "StagedHotline",
    "StagedState",
    "StagedTenant",
    "SyncRun",
    "Tenant",
    "TenantChange",
    "UserPreference",
    "ViewSyncDelta",
    "Watch",
    "WatchEvent",
    "WatchEventKind",
    "Webhook",
    "WebhookDelivery",
]
