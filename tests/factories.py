"""Factories for the models: rows in the database without a sync over HTTP.

`hotlines_from_payloads` writes eTelecom payloads (the sandbox's, for instance) as a first sync
would, so a later real sync compares with them exactly as with its own snapshot.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from hotlines.choices import ChangeKind, HotlineStatus, SyncStatus, SyncTrigger
from hotlines.etelecom import types
from hotlines.etelecom.demo_data.owners import owner_id
from hotlines.etelecom.sandbox import DEFAULT_API_KEY
from hotlines.models import (
    AuditAction,
    AuditEntry,
    Connection,
    ExportFormat,
    ExportRecord,
    Hotline,
    HotlineChange,
    Notification,
    NotificationKind,
    SavedView,
    SyncRun,
    Tenant,
    UserPreference,
    Watch,
    WatchEvent,
    WatchEventKind,
    Webhook,
    WebhookDelivery,
)
from hotlines.services.sync.compare import canonical, content_hash, search_text


class ConnectionFactory(factory.django.DjangoModelFactory):
    """An eTelecom account; point `base_url` at a sandbox to sync it."""

    class Meta:
        model = Connection
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"account {n}")
    base_url = "http://127.0.0.1:9/"
    api_key = DEFAULT_API_KEY
    page_size = 50
    timeout = 5


class UserFactory(factory.django.DjangoModelFactory):
    """A person who signs in with the password `pw-<username>`; `roles=[...]` names their groups."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")

    @factory.post_generation
    def password_from_username(obj, create: bool, extracted: Any, **kwargs: Any) -> None:
        """The suite's convention: every password is `pw-` and the username."""
        obj.set_password(extracted or f"pw-{obj.username}")
        if create:
            obj.save(update_fields=["password"])

    @factory.post_generation
    def roles(obj, create: bool, extracted: Iterable[str] | None, **kwargs: Any) -> None:
        """Put the user in the named role groups (see `services.users.roles_ensure`)."""
        if create and extracted:
            obj.groups.add(*(Group.objects.get_or_create(name=role)[0] for role in extracted))


class HotlineFactory(factory.django.DjangoModelFactory):
    """One hotline of the local mirror, as a sync writes it."""

    class Meta:
        model = Hotline

    connection = factory.SubFactory(ConnectionFactory)
    etelecom_id = factory.Sequence(lambda n: str(9_000_000_000_000_000 + n))
    hotline = factory.Sequence(lambda n: f"1900{n:04d}")
    name = factory.Sequence(lambda n: f"Tổng đài {n}")
    description = ""
    network = "viettel"
    status = HotlineStatus.ENABLED
    is_free_charge = False
    raw = factory.LazyAttribute(lambda o: {"id": o.etelecom_id, "hotline": o.hotline, "name": o.name})
    content_hash = factory.LazyAttribute(lambda o: content_hash(canonical(o.raw)[1]))
    search_text = factory.LazyAttribute(lambda o: search_text(o.name, o.description))
    last_changed_at = factory.LazyFunction(timezone.now)


# The owners of the demo data's hotlines that have a tenant (`demo_data/owners.py`), in order:
# present in any sandbox of a couple of hundred hotlines or more.
DEMO_OWNER_IDS: tuple[str, ...] = tuple(owner_id(n) for n in range(8))


class TenantFactory(factory.django.DjangoModelFactory):
    """A live tenant; give it the `owner_id` of the hotlines it should own (its counts are
    what a sync would have counted: set them, or call the sync's count refresh)."""

    class Meta:
        model = Tenant

    connection = factory.SubFactory(ConnectionFactory)
    etelecom_id = factory.Sequence(lambda n: str(8_000_000_000_000_000 + n))
    name = factory.Sequence(lambda n: f"Công ty {n}")
    domain = factory.Sequence(lambda n: f"pbx{n}.example.vn")
    owner_id = factory.Sequence(lambda n: str(7_000_000_000_000_000 + n))
    status = HotlineStatus.ENABLED
    raw = factory.LazyAttribute(lambda o: {"id": o.etelecom_id, "name": o.name, "domain": o.domain})
    content_hash = factory.LazyAttribute(lambda o: content_hash(canonical(o.raw)[1]))
    search_text = factory.LazyAttribute(lambda o: search_text(o.name, o.domain))
    last_changed_at = factory.LazyFunction(timezone.now)


def hotline_values(item: dict[str, Any]) -> dict[str, Any]:
    """The `Hotline` fields a sync derives from one payload (the same parsing and fingerprint)."""
    parsed = types.Hotline.from_payload(item)
    raw, raw_json = canonical(parsed.raw)
    return {
        "etelecom_id": parsed.id,
        "hotline": parsed.hotline,
        "name": parsed.name,
        "description": parsed.description,
        "network": parsed.network,
        "status": parsed.status,
        "is_free_charge": parsed.is_free_charge,
        "upstream_connection_id": parsed.connection_id,
        "connection_method": parsed.connection_method,
        "owner_id": parsed.owner_id,
        "created_at": parsed.created_at,
        "updated_at": parsed.updated_at,
        "raw": raw,
        "content_hash": content_hash(raw_json),
        "search_text": search_text(parsed.name, parsed.description),
    }


class SyncRunFactory(factory.django.DjangoModelFactory):
    """A finished, successful sync run (pass `status=` and `error=` for another outcome)."""

    class Meta:
        model = SyncRun

    connection = factory.SubFactory(ConnectionFactory)
    trigger = SyncTrigger.COMMAND
    status = SyncStatus.SUCCEEDED
    finished_at = factory.LazyFunction(timezone.now)
    heartbeat_at = factory.SelfAttribute("finished_at")


def hotlines_from_payloads(*, connection: Connection, items: list[dict[str, Any]]) -> SyncRun:
    """Write payloads as a connection's first successful sync leaves them; returns that run."""
    now = timezone.now()
    Hotline.objects.bulk_create(
        Hotline(connection=connection, first_seen_at=now, last_changed_at=now, **hotline_values(item)) for item in items
    )
    pages = -(-len(items) // connection.page_size) if items else 1
    return SyncRunFactory(connection=connection, pages=pages, fetched=len(items), created=len(items), finished_at=now)


class HotlineChangeFactory(factory.django.DjangoModelFactory):
    """One line of a hotline's history, recorded by a sync run."""

    class Meta:
        model = HotlineChange

    hotline = factory.SubFactory(HotlineFactory)
    sync_run = factory.SubFactory(SyncRunFactory, connection=factory.SelfAttribute("..hotline.connection"))
    kind = ChangeKind.CHANGED
    field = "status"
    old_value = HotlineStatus.ENABLED
    new_value = HotlineStatus.DISABLED


class UserPreferenceFactory(factory.django.DjangoModelFactory):
    """A person's remembered page size, columns and language."""

    class Meta:
        model = UserPreference

    user = factory.SubFactory(UserFactory)


class ExportRecordFactory(factory.django.DjangoModelFactory):
    """A finished export of the hotline list."""

    class Meta:
        model = ExportRecord

    user = factory.SubFactory(UserFactory)
    username = factory.SelfAttribute("user.username")
    format = ExportFormat.CSV
    row_count = 0
    finished_at = factory.LazyFunction(timezone.now)


class AuditEntryFactory(factory.django.DjangoModelFactory):
    """One line of the audit log."""

    class Meta:
        model = AuditEntry

    actor = factory.SubFactory(UserFactory)
    actor_username = factory.SelfAttribute("actor.username")
    action = factory.Iterator(AuditAction.values)
    target = "hotlines"


class SavedViewFactory(factory.django.DjangoModelFactory):
    """A person's saved state of the hotline list (private unless `shared=True`)."""

    class Meta:
        model = SavedView

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"View {n}")
    query = "status=P"


class WatchFactory(factory.django.DjangoModelFactory):
    """A person watching a saved view (the default) or, with `view=None, hotline=...`, one hotline."""

    class Meta:
        model = Watch

    user = factory.SubFactory(UserFactory)
    view = factory.SubFactory(SavedViewFactory, owner=factory.SelfAttribute("..user"))


class NotificationFactory(factory.django.DjangoModelFactory):
    """What one sync changed in one watch, unread."""

    class Meta:
        model = Notification

    user = factory.SubFactory(UserFactory)
    sync_run = factory.SubFactory(SyncRunFactory)
    kind = NotificationKind.WATCH
    watch = factory.SubFactory(WatchFactory, user=factory.SelfAttribute("..user"))
    subject = factory.LazyAttribute(lambda o: o.watch.view.name if o.watch and o.watch.view_id else "")
    changed = 1


class WatchEventFactory(factory.django.DjangoModelFactory):
    """One hotline's field change within a notification."""

    class Meta:
        model = WatchEvent

    notification = factory.SubFactory(NotificationFactory)
    hotline = factory.SubFactory(HotlineFactory, connection=factory.SelfAttribute("..notification.sync_run.connection"))
    kind = WatchEventKind.CHANGED
    changes = factory.LazyFunction(lambda: [{"field": "status", "old": "P", "new": "N"}])


class WebhookFactory(factory.django.DjangoModelFactory):
    """An administrator's webhook (a loopback URL, allowed over plain http)."""

    class Meta:
        model = Webhook

    name = factory.Sequence(lambda n: f"Receiver {n}")
    url = "http://127.0.0.1:9/hook"
    secret = "whsec-test-secret-0123456789"


class WebhookDeliveryFactory(factory.django.DjangoModelFactory):
    """One payload for one webhook, waiting to be posted."""

    class Meta:
        model = WebhookDelivery

    webhook = factory.SubFactory(WebhookFactory)
    event = "watch.changed"
    body = "{}"
