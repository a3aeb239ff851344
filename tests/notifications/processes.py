"""Entry points the digest tests run in separate OS processes: `python -m tests.notifications.processes CMD`.

Each prints one JSON object on its last line; the database is the one DATABASE_URL names (see
tests/sync/conftest.py's `process_db`).
"""

from __future__ import annotations

import json
import os
import sys


def seed() -> dict:
    """A person with an emailed watch that a sync changed, and that sync's digest task queued."""
    from hotlines.tasks.notifications import send_email_digests
    from tests.factories import (
        HotlineFactory,
        NotificationFactory,
        SyncRunFactory,
        UserFactory,
        WatchEventFactory,
        WatchFactory,
    )

    run = SyncRunFactory()
    user = UserFactory(username="killed", email="killed@partner.example")
    notification = NotificationFactory(user=user, sync_run=run, watch=WatchFactory(user=user, email=True))
    WatchEventFactory(notification=notification, hotline=HotlineFactory(connection=run.connection))
    result = send_email_digests.enqueue(run.pk)
    return {"run_id": run.pk, "task_id": str(result.id)}


def state() -> dict:
    """The digests as stored."""
    from hotlines.models import EmailDigest

    return {"digests": list(EmailDigest.objects.values("status", "tries"))}


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "etelecom_admin.test_settings")
    import django

    django.setup()
    print(json.dumps({"seed": seed, "state": state}[sys.argv[1]]()))
