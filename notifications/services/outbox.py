"""Telling people of an event: rows written in the caller's transaction.

Each row is an entry of the person's inbox and, unless they chose otherwise,
an email handed to the broker once the transaction commits (``dispatch``).
"""

from collections.abc import Iterable

from django.db import connections, router, transaction
from django.db.models import Q

from companies.models import User
from core.transitions import initial_status

from ..dispatch import dispatch
from ..kinds import is_always_emailed
from ..models import EVENT, Notification, NotificationPreference, NotificationStatus
from .delivery import EMAIL


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


def _not_wanting_email(kind: str, people: Iterable[int]) -> set[int]:
    """Who of ``people`` switched this kind of email off (never a decision request)."""
    if is_always_emailed(kind):
        return set()
    return {
        user_id
        for user_id, email_off in NotificationPreference.objects.filter(
            user_id__in=list(people)
        ).values_list("user_id", "email_off")
        if kind in email_off
    }


def notification_enqueue(
    *,
    kind: str,
    recipients: Iterable[User],
    key: str,
    subject: str,
    company_id: int | None,
    reference: str = "",
    path: str = "",
    actor: User | None = None,
    context: dict | None = None,
) -> list[Notification]:
    """Tell each recipient: an inbox entry, and an email once the caller's transaction commits.

    ``company_id``, ``reference`` and ``path``: whose order or quote it is, its
    number, and its page in the portal (``company_id`` None: a site admin's own
    account).

    Rules, the same for every event: nobody is told of their own action,
    deactivated people and another company's people are not told, the same key
    is queued once per person, and the email follows each person's preferences
    (a decision request is always emailed); the inbox entry is there either way.
    """
    people = {
        person.pk: person
        for person in recipients
        if person.is_active
        and (actor is None or person.pk != actor.pk)
        and (person.is_staff or person.company_id == company_id)
    }
    if not people:
        return []
    no_email = _not_wanting_email(kind, people)
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
                status=initial_status(
                    Notification,
                    "queue",
                    by=EVENT,
                    to=NotificationStatus.INBOX_ONLY
                    if person.pk in no_email
                    else NotificationStatus.PENDING,
                ),
            )
            for person in people.values()
        ]
    )
    ids = [row.pk for row in rows if row.status == NotificationStatus.PENDING]
    if ids:
        transaction.on_commit(lambda: dispatch(EMAIL, ids))
    return rows


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
