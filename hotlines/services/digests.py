"""The email digest: one message per sync per person, covering all their emailed watches.

**This module alone changes an `EmailDigest`'s state** (pending -> sending -> sent, or back to
pending with a retry time, or failed). Exactly once per person and run:

- `email_digests_create` writes one row per recipient and run; the unique (user, run) index makes
  a second call (the task run twice) add nothing.
- A worker *claims* a digest before sending with one compare-and-set UPDATE (status and tries as
  it read them): of two workers, one wins; a sent digest is never claimed again.
- A claim older than `EMAIL_DIGEST_CLAIM_TIMEOUT` (its worker died mid-delivery) is taken again:
  the run's task queues a sweep for that moment before it sends anything, so a worker killed
  mid-delivery finishes the job after its restart without waiting for another sync.
  The message's Message-ID is derived from the digest, so the rare retry of a message the server
  had already accepted (the worker died between the server's "250 OK" and recording it) carries
  the same Message-ID and mail clients show it once.
- A refused or unreachable server puts the digest back to pending, to be retried after
  `EMAIL_DIGEST_BACKOFF` seconds doubled per try, until `EMAIL_DIGEST_MAX_TRIES`: then failed
  (logged as an error, listed in the admin).
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from ..models import DigestStatus, EmailDigest, NotificationKind, SyncRun
from ..notification_wording import notifications_prepare
from ..selectors import user_preference_get
from ..selectors.notifications import digest_notifications, digest_recipient_ids
from ..tasks.notifications import retry_email_digests

logger = logging.getLogger(__name__)

ERROR_CHARS = 500
DUE_BATCH = 200  # digests a sweep takes at a time


@dataclass
class DigestReport:
    """What one round of sending did."""

    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # claimed by another worker, already done, or not yet due
    retry_at: datetime | None = None

    def as_dict(self) -> dict:
        return {
            "sent": len(self.sent),
            "retrying": len(self.retrying),
            "failed": len(self.failed),
            "skipped": len(self.skipped),
            "retry_at": self.retry_at.isoformat() if self.retry_at else None,
        }


def _backoff(tries: int) -> timedelta:
    return timedelta(seconds=settings.EMAIL_DIGEST_BACKOFF * 2 ** max(tries - 1, 0))


def email_digest_retry_at(digest: EmailDigest) -> datetime | None:
    """When a pending digest that failed before may be tried again (None: now)."""
    if digest.status != DigestStatus.PENDING or not digest.tries or digest.claimed_at is None:
        return None
    return digest.claimed_at + _backoff(digest.tries)


def email_digests_create(*, sync_run_id: int) -> list[int]:
    """One pending digest per recipient of the run (none added for one already there); the ids of
    the run's digests not yet sent nor failed."""
    recipients = digest_recipient_ids(sync_run_id=sync_run_id)
    EmailDigest.objects.bulk_create(
        [EmailDigest(user_id=user_id, sync_run_id=sync_run_id) for user_id in recipients], ignore_conflicts=True
    )
    open_ = EmailDigest.objects.filter(sync_run_id=sync_run_id, status__in=[DigestStatus.PENDING, DigestStatus.SENDING])
    return list(open_.order_by("pk").values_list("pk", flat=True))


def email_digest_claim(*, digest_id: int, now: datetime | None = None) -> EmailDigest | None:
    """Take a digest to send it, if it is due and nobody else holds it: pending (past its retry
    time), or sending with a stale claim. One conditional UPDATE decides between two workers."""
    now = now or timezone.now()
    digest = EmailDigest.objects.filter(pk=digest_id).first()
    if digest is None or digest.status in (DigestStatus.SENT, DigestStatus.FAILED):
        return None
    if digest.status == DigestStatus.SENDING:
        stale = digest.claimed_at is None or digest.claimed_at <= now - timedelta(
            seconds=settings.EMAIL_DIGEST_CLAIM_TIMEOUT
        )
        if not stale:
            return None
        if digest.tries >= settings.EMAIL_DIGEST_MAX_TRIES:
            _fail(digest, expect=DigestStatus.SENDING, error=gettext("The worker stopped while sending, every try."))
            return None
        logger.warning("Email digest %s: its worker stopped mid-delivery; sending it again", digest.pk)
    else:
        retry_at = email_digest_retry_at(digest)
        if retry_at is not None and retry_at > now:
            return None
    won = EmailDigest.objects.filter(pk=digest.pk, status=digest.status, tries=digest.tries).update(
        status=DigestStatus.SENDING, claimed_at=now, tries=F("tries") + 1
    )
    if not won:
        return None
    digest.refresh_from_db()
    return digest


def _fail(digest: EmailDigest, *, expect: str, error: str) -> None:
    EmailDigest.objects.filter(pk=digest.pk, status=expect).update(status=DigestStatus.FAILED, error=error)
    logger.error("Email digest %s (user %s, sync %s) failed: %s", digest.pk, digest.user_id, digest.sync_run_id, error)


def email_digest_message_id(digest: EmailDigest) -> str:
    """The digest's Message-ID: the same on every try, so a resent copy is recognisably the same mail."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<digest-{digest.pk}.run-{digest.sync_run_id}.user-{digest.user_id}@{host}>"


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}" if path else ""


def email_digest_message(*, digest: EmailDigest) -> EmailMultiAlternatives | None:
    """The digest as an email (plain text and HTML, in the person's language); None when it has
    nothing left to tell (its notifications were deleted, or the person has no address any more)."""
    user = get_user_model().objects.filter(pk=digest.user_id, is_active=True).exclude(email="").first()
    if user is None:
        return None
    notifications = digest_notifications(user_id=user.pk, sync_run_id=digest.sync_run_id)
    if not notifications:
        return None
    preference = user_preference_get(user=user)
    language = (preference.language if preference else "") or settings.LANGUAGE_CODE
    run = SyncRun.objects.select_related("connection").get(pk=digest.sync_run_id)
    can_see_syncs = user.has_perm("hotlines.view_syncrun")
    with translation.override(language):
        notifications_prepare(notifications, site_url=settings.SITE_URL)
        watches = sum(1 for n in notifications if n.kind == NotificationKind.WATCH)
        failed = any(n.kind == NotificationKind.SYNC_FAILED for n in notifications)
        if watches:
            subject = ngettext(
                "eTelecom hotlines: changes in %(count)s watch",
                "eTelecom hotlines: changes in %(count)s watches",
                watches,
            ) % {"count": watches}
        else:
            subject = gettext("eTelecom hotlines: a sync failed")
        context = {
            "user": user,
            "run": run,
            "failed": failed,
            "watches": watches,
            "notifications": notifications,
            "site_url": settings.SITE_URL,
            "notifications_url": _absolute(reverse("hotlines:notifications")),
            "sync_url": _absolute(reverse("hotlines:sync-detail", args=[run.pk])) if can_see_syncs else "",
            "language": language,
        }
        text = render_to_string("hotlines/email/digest.txt", context)
        html = render_to_string("hotlines/email/digest.html", context)
    headers = {
        "Message-ID": email_digest_message_id(digest),
        "Auto-Submitted": "auto-generated",  # RFC 3834: no auto-replies to it
        "X-Auto-Response-Suppress": "All",
        "Content-Language": language,
    }
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email], headers=headers)
    message.attach_alternative(html, "text/html")
    return message


def email_digest_deliver(*, digest_id: int, now: datetime | None = None, report: DigestReport | None = None) -> str:
    """Claim, render and send one digest, and record how it went: "sent", "retrying", "failed" or
    "skipped" (not due, held by another worker, or done)."""
    report = report if report is not None else DigestReport()
    digest = email_digest_claim(digest_id=digest_id, now=now)
    if digest is None:
        report.skipped.append(digest_id)
        return "skipped"
    try:
        message = email_digest_message(digest=digest)
        if message is not None:
            message.send(using="default")
    except (smtplib.SMTPException, OSError) as exc:  # the server refused, or could not be reached
        return _record_error(digest, exc, report)
    except Exception as exc:  # one unsendable digest (a malformed address) must not stop the others
        logger.exception("Email digest %s could not be sent", digest.pk)
        return _record_error(digest, exc, report)
    EmailDigest.objects.filter(pk=digest.pk, status=DigestStatus.SENDING).update(
        status=DigestStatus.SENT, sent_at=timezone.now(), error="" if message else gettext("Nothing left to tell.")
    )
    report.sent.append(digest.pk)
    return "sent"


def _record_error(digest: EmailDigest, exc: Exception, report: DigestReport) -> str:
    error = f"{type(exc).__name__}: {exc}"[:ERROR_CHARS]
    if digest.tries >= settings.EMAIL_DIGEST_MAX_TRIES:
        _fail(digest, expect=DigestStatus.SENDING, error=error)
        report.failed.append(digest.pk)
        return "failed"
    EmailDigest.objects.filter(pk=digest.pk, status=DigestStatus.SENDING).update(
        status=DigestStatus.PENDING, error=error
    )
    digest.status = DigestStatus.PENDING
    retry_at = email_digest_retry_at(digest)
    logger.warning("Email digest %s: try %s failed (%s); again at %s", digest.pk, digest.tries, error, retry_at)
    report.retrying.append(digest.pk)
    report.retry_at = min(filter(None, [report.retry_at, retry_at]))
    return "retrying"


def email_digests_send_run(*, sync_run_id: int, now: datetime | None = None) -> DigestReport:
    """Send every digest of a run (creating them first), then any other digest that is due (a
    retry, or one whose worker died); schedule the next retry when some are waiting."""
    report = DigestReport()
    digest_ids = email_digests_create(sync_run_id=sync_run_id)
    if digest_ids:
        # Should this worker be killed mid-delivery, a sweep once its claims are stale finishes
        # the job (the worker that picks it up after a restart), without waiting for another sync.
        stale_at = (now or timezone.now()) + timedelta(seconds=settings.EMAIL_DIGEST_CLAIM_TIMEOUT + 1)
        retry_email_digests.using(run_after=stale_at).enqueue()
    for digest_id in digest_ids:
        email_digest_deliver(digest_id=digest_id, now=now, report=report)
    _deliver_due(now=now, report=report, exclude_run=sync_run_id)
    _schedule_retry(report)
    return report


def email_digests_send_due(*, now: datetime | None = None) -> DigestReport:
    """Send the digests that are due again: past their retry time, or claimed by a worker that died."""
    report = DigestReport()
    _deliver_due(now=now, report=report)
    _schedule_retry(report)
    return report


def _deliver_due(*, now: datetime | None, report: DigestReport, exclude_run: int | None = None) -> None:
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.EMAIL_DIGEST_CLAIM_TIMEOUT)
    due = EmailDigest.objects.filter(
        Q(status=DigestStatus.PENDING) | Q(status=DigestStatus.SENDING, claimed_at__lte=stale)
    )
    if exclude_run is not None:
        due = due.exclude(sync_run_id=exclude_run)
    for digest_id in due.order_by("pk").values_list("pk", flat=True)[:DUE_BATCH]:
        email_digest_deliver(digest_id=digest_id, now=now, report=report)
    # The ones still waiting for their retry time: the next sweep is due at the earliest.
    waiting = EmailDigest.objects.filter(status=DigestStatus.PENDING, tries__gt=0)
    for digest in waiting.only("pk", "status", "tries", "claimed_at")[:DUE_BATCH]:
        retry_at = email_digest_retry_at(digest)
        if retry_at and retry_at > now:
            report.retry_at = min(filter(None, [report.retry_at, retry_at]))


def _schedule_retry(report: DigestReport) -> None:
    if report.retry_at is None:
        return
    result = retry_email_digests.using(run_after=report.retry_at).enqueue()
    logger.info("Email digests: next try at %s (task %s)", report.retry_at, result.id)
