"""Entry points the worker test runs in separate OS processes: `python -m tests.webhooks.processes CMD`.
Each prints one JSON object on its last line; the database is the one DATABASE_URL names."""

from __future__ import annotations

import json
import os
import sys


def setup(url: str, secret: str) -> dict:
    """A finished sync run with one watch's news, a webhook to `url` carrying the watch, and its
    delivery made and queued (what the watch engine's hand-off does)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from hotlines.models import Connection, Notification, NotificationKind, SavedView, SyncRun, Watch, Webhook
    from hotlines.services.webhooks.deliveries import delivery_dispatch

    user = get_user_model().objects.create_user("watcher", password="x")
    connection = Connection.objects.create(name="default", base_url="http://127.0.0.1:9", api_key="k")
    run = SyncRun.objects.create(connection=connection, status="succeeded", finished_at=timezone.now())
    watch = Watch.objects.create(user=user, view=SavedView.objects.create(owner=user, name="Mine", query="status=N"))
    Notification.objects.create(user=user, sync_run=run, kind=NotificationKind.WATCH, watch=watch, subject="Mine")
    webhook = Webhook.objects.create(name="receiver", url=url, secret=secret)
    webhook.watches.add(watch)
    (delivery_id,) = delivery_dispatch(sync_run_id=run.pk)
    return {"delivery": delivery_id}


def state() -> dict:
    """Every delivery as the log shows it."""
    from hotlines.models import WebhookDelivery

    return {
        "deliveries": [
            {**row, "idempotency_key": str(row["idempotency_key"])}
            for row in WebhookDelivery.objects.order_by("pk").values("pk", "status", "tries", "idempotency_key")
        ]
    }


COMMANDS = {"setup": setup, "state": state}

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "etelecom_admin.test_settings")
    import django

    django.setup()
    command, *args = sys.argv[1:]
    kwargs = json.loads(args[0]) if args else {}
    print(json.dumps(COMMANDS[command](**kwargs)), flush=True)
