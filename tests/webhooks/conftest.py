"""Fixtures of the webhook tests: a real receiver on loopback, fast retries, and a sync run with
one watch's notification (what the watch engine writes)."""

from __future__ import annotations

import pytest

from tests.factories import (
    HotlineFactory,
    NotificationFactory,
    SyncRunFactory,
    WatchEventFactory,
    WebhookFactory,
)
from tests.sync.conftest import process_db, sqlite_template  # noqa: F401 - shared with the worker test

from .receiver import Receiver

SECRET = "whsec_test-secret-0123456789abcdef"


@pytest.fixture(autouse=True)
def fast_webhooks(settings):
    settings.WEBHOOK_TRIES = 3
    settings.WEBHOOK_BACKOFF = 0.01
    settings.WEBHOOK_BACKOFF_MAX = 0.05
    settings.WEBHOOK_TIMEOUT = 5.0
    settings.SITE_URL = "https://admin.example.vn"


@pytest.fixture
def receiver():
    server = Receiver(secret=SECRET).start()
    yield server
    server.stop()


@pytest.fixture
def news(db, connection):
    """A finished sync run in which one watch (a view) saw one hotline change."""
    run = SyncRunFactory(connection=connection, status="succeeded")
    notification = NotificationFactory(sync_run=run, changed=1)
    hotline = HotlineFactory(connection=connection, hotline="19006868", name="Tổng đài")
    WatchEventFactory(notification=notification, hotline=hotline)
    return notification


@pytest.fixture
def hook(db, receiver, news):
    """An active webhook to the receiver, carrying the watch of `news`."""
    webhook = WebhookFactory(url=receiver.url, secret=SECRET, failure_limit=2)
    webhook.watches.add(news.watch)
    return webhook
