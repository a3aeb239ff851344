"""Background tasks of the notifications: the email digests of a sync, and their retries."""

from __future__ import annotations

from django.tasks import task


@task()
def send_email_digests(sync_run_id: int) -> dict:
    """Send one email per person for a sync (all their emailed watches' changes), exactly once;
    called by the watch engine after it wrote the run's notifications."""
    from ..services.digests import email_digests_send_run

    return email_digests_send_run(sync_run_id=sync_run_id).as_dict()


@task()
def retry_email_digests() -> dict:
    """Send the digests that are due again (refused before, or left by a worker that died)."""
    from ..services.digests import email_digests_send_due

    return email_digests_send_due().as_dict()
