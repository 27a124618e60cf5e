"""The outbox: queue notifications with the change they announce, send them later.

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
from django.db import connections, router, transaction
from django.db.models import Q
from django.utils import timezone

from companies.models import User
from core.transitions import initial_status, transition, transition_all

from .dispatch import dispatch, publish
from .models import (
    OPTIONAL_KINDS,
    Notification,
    NotificationKind,
    NotificationPreference,
    NotificationStatus,
)
from .rendering import render_email

logger = logging.getLogger(__name__)


class SendResult(Enum):
    SENT = "sent"
    SKIPPED = "skipped"  # already sent, failed for good, or being sent right now
    RETRY = "retry"
    FAILED = "failed"


def _insert_new(rows: list[Notification]) -> list[Notification]:
    """Insert the rows whose (recipient, key) is new, in one statement; return those.

    The unique constraint decides (ON CONFLICT DO NOTHING), so there is no read
    before the write, and two transactions queueing the same event at once
    still leave one row each instead of failing the second.
    """
    meta = Notification._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    connection = connections[router.db_for_write(Notification)]
    quote_name = connection.ops.quote_name
    params = []
    for row in rows:
        params.extend(f.get_db_prep_save(f.pre_save(row, True), connection) for f in fields)
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        f"INSERT INTO {quote_name(meta.db_table)} "  # noqa: S608 - names from the model
        f"({', '.join(quote_name(f.column) for f in fields)}) "
        f"VALUES {', '.join([placeholders] * len(rows))} "
        f"ON CONFLICT ({quote_name('recipient_id')}, {quote_name('key')}) DO NOTHING "
        f"RETURNING {quote_name('id')}, {quote_name('recipient_id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        inserted = {recipient_id: pk for pk, recipient_id in cursor.fetchall()}
    kept = []
    for row in rows:
        if row.recipient_id in inserted:
            row.pk = inserted[row.recipient_id]
            row._state.adding = False
            row._state.db = connection.alias
            kept.append(row)
    return kept


def notification_enqueue(
    *,
    kind: NotificationKind,
    recipients: Iterable[User],
    key: str,
    subject: str,
    company_id: int,
    reference: str = "",
    path: str = "",
    actor: User | None = None,
    context: dict | None = None,
) -> list[Notification]:
    """Queue one email per recipient, sent once the caller's transaction commits.

    ``company_id``, ``reference`` and ``path``: whose order or quote it is, its
    number, and its page in the portal.

    Rules, the same for every event: nobody is told of their own action, no
    mail goes to deactivated people or to another company's people, optional
    kinds respect each person's preferences, and the same key is queued once.
    """
    people = {
        person.pk: person
        for person in recipients
        if person.is_active
        and (actor is None or person.pk != actor.pk)
        and (person.is_staff or person.company_id == company_id)
    }
    if kind in OPTIONAL_KINDS and people:
        opted_out = NotificationPreference.objects.filter(
            user_id__in=people, reminders=False
        ).values_list("user_id", flat=True)
        for user_id in opted_out:
            people.pop(user_id, None)
    if not people:
        return []
    rows = _insert_new(
        [
            Notification(
                recipient=person,
                kind=kind,
                company_id=company_id,
                reference=reference,
                path=path,
                key=key,
                subject=subject[:200],
                context=context or {},
                status=initial_status(Notification, "queue"),
            )
            for person in people.values()
        ]
    )
    ids = [row.pk for row in rows]
    if ids:
        transaction.on_commit(lambda: dispatch(ids))
    return rows


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
        transition(row, "give_up", fields=["last_error"])
        return SendResult.FAILED
    row.attempts += 1
    row.claimed_at = timezone.now()
    transition(row, "claim", fields=["attempts", "claimed_at"])
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
    transition(current, "mark_sent", fields=["sent_at"])


@transaction.atomic
def _attempt_failed(row: Notification, exc: Exception) -> SendResult:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    logger.warning("Notification %s not sent: %s", row.pk, error)
    current = _still_claimed(row)
    if current is None:
        return SendResult.SKIPPED
    current.last_error = error
    if current.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
        transition(current, "give_up", fields=["last_error"])
        return SendResult.FAILED
    transition(current, "defer", fields=["last_error"])
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
        transition_all(spent, "give_up")
    transition_all(again, "release")
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
        transition_all(rows, "resend")
        transaction.on_commit(lambda: dispatch(ids))
    return len(ids)


def notification_preferences_update(*, user: User, reminders: bool) -> NotificationPreference:
    preference, _ = NotificationPreference.objects.update_or_create(
        user=user, defaults={"reminders": reminders}
    )
    return preference


def staff_recipients(*, permission: str | None = None) -> list[User]:
    """Active site admins, optionally only those holding a permission."""
    staff = User.objects.filter(is_staff=True, is_active=True)
    if permission is None:
        return list(staff)
    app_label, codename = permission.split(".")
    return list(
        staff.filter(
            Q(is_superuser=True)
            | Q(
                user_permissions__codename=codename,
                user_permissions__content_type__app_label=app_label,
            )
            | Q(
                groups__permissions__codename=codename,
                groups__permissions__content_type__app_label=app_label,
            )
        ).distinct()
    )
