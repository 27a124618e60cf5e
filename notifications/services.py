"""The outbox: queue notifications with the change they announce, send them later.

Delivery is at least once per row and never twice for a row already sent: the
sender locks the row and checks its status before it mails. A worker killed
between the SMTP server's "OK" and the commit is the one case that can repeat
a mail; losing one is never possible while the row stays pending.
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
    """Render and send one row, once. Rule: a row leaves "pending" exactly once."""
    with transaction.atomic():
        row = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id, status=NotificationStatus.PENDING)
            .first()
        )
        if row is None:
            return SendResult.SKIPPED
        reason = _still_addressable(row)
        if reason:
            row.status = NotificationStatus.FAILED
            row.last_error = reason
            row.save(update_fields=["status", "last_error"])
            return SendResult.FAILED
        row.attempts += 1
        try:
            render_email(row).send()
        except Exception as exc:
            row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if row.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
                row.status = NotificationStatus.FAILED
            row.save(update_fields=["attempts", "last_error", "status"])
            logger.warning("Notification %s not sent: %s", row.pk, row.last_error)
            return (
                SendResult.FAILED if row.status == NotificationStatus.FAILED else SendResult.RETRY
            )
        row.status = NotificationStatus.SENT
        row.sent_at = timezone.now()
        row.save(update_fields=["attempts", "status", "sent_at"])
        return SendResult.SENT


def notification_sweep(*, now: datetime | None = None, limit: int = 500) -> int:
    """Queue again what is still pending a while after it was written.

    Covers a broker that was down or hung at commit time, a lost task, a killed
    worker. It runs in a worker, where nobody waits for it: it publishes at once
    and stops at the first failure (the next sweep tries again).
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.NOTIFICATION_SWEEP_AFTER_SECONDS)
    ids = list(
        Notification.objects.filter(status=NotificationStatus.PENDING, created_at__lte=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    publish(ids)
    return len(ids)


def notification_resend(*, notification_ids: Iterable[int]) -> int:
    """A site admin asks to send failed rows again, with a fresh count of attempts."""
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update()
            .filter(pk__in=list(notification_ids), status=NotificationStatus.FAILED)
            .values_list("pk", flat=True)
        )
        Notification.objects.filter(pk__in=ids).update(
            status=NotificationStatus.PENDING, attempts=0, last_error=""
        )
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
