"""Sending the outbox's emails: once per row, and never lost while a row is pending.

Delivery is at least once per row. A worker claims a pending row and commits
(``sending``, with the time of its claim), talks to the SMTP server outside any
transaction, then marks the row sent if its claim still stands; a claim whose
worker died is released by the sweep after NOTIFICATION_CLAIM_TIMEOUT_SECONDS.
So two workers never send one row, and the one case that repeats a mail is a
worker dying between the server's "OK" and marking the row (every copy carries
the row's Message-ID). Losing a mail is never possible while the row is pending.
"""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import Enum

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.transitions import transition, transition_all

from ..dispatch import dispatch, publish
from ..models import SITE_ADMIN, SWEEP, WORKER, Notification, NotificationStatus
from ..rendering import render_email

logger = logging.getLogger(__name__)


class SendResult(Enum):
    SENT = "sent"
    SKIPPED = "skipped"  # already sent, failed for good, or being sent right now
    RETRY = "retry"
    FAILED = "failed"


def _still_addressable(row: Notification) -> str:
    """Why a queued row must no longer be sent (the person left meanwhile), or ""."""
    person = row.recipient
    if not person.is_active:
        return "Not sent: the recipient was deactivated."
    if not person.is_staff and person.company_id != row.company_id:
        return "Not sent: the recipient no longer belongs to the company."
    return ""


def notification_send(*, notification_id: int) -> SendResult:
    """Render and send one row.

    Rule: only a pending row is sent, by the one worker that claimed it, and no
    lock is held while the SMTP server answers.
    """
    claim = _claim(notification_id=notification_id)
    if not isinstance(claim, Notification):
        return claim
    try:
        render_email(claim).send()
    except Exception as exc:
        return _attempt_failed(claim, exc)
    _mark_sent(claim)
    return SendResult.SENT


@transaction.atomic
def _claim(*, notification_id: int) -> Notification | SendResult:
    """Take a pending row for this worker and commit, or say why not."""
    row = (
        Notification.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("recipient")
        .filter(pk=notification_id, status=NotificationStatus.PENDING)
        .first()
    )
    if row is None:  # sent, failed, being sent, or locked by a worker claiming it now
        return SendResult.SKIPPED
    reason = _still_addressable(row)
    if reason:
        row.last_error = reason
        transition(row, "give_up", by=WORKER, fields=["last_error"])
        return SendResult.FAILED
    row.attempts += 1
    row.claimed_at = timezone.now()
    transition(row, "claim", by=WORKER, fields=["attempts", "claimed_at"])
    return row


def _still_claimed(row: Notification) -> Notification | None:
    """The row, locked, if the claim ``row`` was taken with still stands."""
    return (
        Notification.objects.select_for_update()
        .filter(pk=row.pk, status=NotificationStatus.SENDING, claimed_at=row.claimed_at)
        .first()
    )


@transaction.atomic
def _mark_sent(row: Notification) -> None:
    current = _still_claimed(row)
    if current is None:
        # Only after NOTIFICATION_CLAIM_TIMEOUT_SECONDS: the sweep gave the row to
        # another worker, which may send it again.
        logger.warning("Notification %s was sent after its claim had been released.", row.pk)
        return
    current.sent_at = timezone.now()
    transition(current, "mark_sent", by=WORKER, fields=["sent_at"])


@transaction.atomic
def _attempt_failed(row: Notification, exc: Exception) -> SendResult:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    logger.warning("Notification %s not sent: %s", row.pk, error)
    current = _still_claimed(row)
    if current is None:
        return SendResult.SKIPPED
    current.last_error = error
    if current.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
        transition(current, "give_up", by=WORKER, fields=["last_error"])
        return SendResult.FAILED
    transition(current, "defer", by=WORKER, fields=["last_error"])
    return SendResult.RETRY


def notification_sweep(*, now: datetime | None = None, limit: int = 500) -> int:
    """Queue again what is still pending a while after it was written; how many rows.

    Covers a broker that was down or hung at commit time, a lost task, and a
    worker that died while sending (its claim is released first). It runs in a
    worker, where nobody waits for it: it publishes at once and stops at the
    first failure (the next sweep tries again).
    """
    now = now or timezone.now()
    released = _release_abandoned_claims(now=now, limit=limit)
    cutoff = now - timedelta(seconds=settings.NOTIFICATION_SWEEP_AFTER_SECONDS)
    pending = Notification.objects.filter(
        status=NotificationStatus.PENDING, created_at__lte=cutoff
    ).exclude(pk__in=released)
    ids = released + list(pending.order_by("created_at").values_list("pk", flat=True)[:limit])
    publish(ids)
    return len(ids)


@transaction.atomic
def _release_abandoned_claims(*, now: datetime, limit: int) -> list[int]:
    """Rows claimed longer ago than a worker can take: back to pending, or failed.

    A row whose every attempt was used up this way (it may be what kills the
    worker) fails instead of going round again.
    """
    cutoff = now - timedelta(seconds=settings.NOTIFICATION_CLAIM_TIMEOUT_SECONDS)
    rows = list(
        Notification.objects.select_for_update(skip_locked=True)
        .filter(status=NotificationStatus.SENDING, claimed_at__lte=cutoff)
        .order_by("claimed_at")[:limit]
    )
    spent = [row for row in rows if row.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS]
    again = [row for row in rows if row.attempts < settings.NOTIFICATION_MAX_ATTEMPTS]
    if spent:
        Notification.objects.filter(pk__in=[row.pk for row in spent]).update(
            last_error="Not sent: no worker finished sending it."
        )
        transition_all(spent, "give_up", by=SWEEP)
    transition_all(again, "release", by=SWEEP)
    return [row.pk for row in again]


def notification_resend(*, notification_ids: Iterable[int]) -> int:
    """A site admin asks to send failed rows again, with a fresh count of attempts."""
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update().filter(
                pk__in=list(notification_ids), status=NotificationStatus.FAILED
            )
        )
        ids = [row.pk for row in rows]
        Notification.objects.filter(pk__in=ids).update(attempts=0, last_error="")
        transition_all(rows, "resend", by=SITE_ADMIN)
        transaction.on_commit(lambda: dispatch(ids))
    return len(ids)
