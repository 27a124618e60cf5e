from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from companies.models import User

from .kinds import CONTACTS, STAFF, optional_email_kinds
from .models import Notification, NotificationPreference
from .outbox import FAILED, PENDING, OutboxRow
from .services.engine import Channel

# The navigation counts unread entries up to this, then says "99+".
UNREAD_SHOWN = 99


def _inbox_of(user: User) -> QuerySet[Notification]:
    """A person's own entries; a contact sees only those of their company now."""
    rows = Notification.objects.filter(recipient=user)
    if not user.is_staff:
        rows = rows.filter(company_id=user.company_id)
    return rows


def notification_list_for_user(*, user: User) -> QuerySet[Notification]:
    """A person's inbox, newest first (served by the inbox index)."""
    return (
        _inbox_of(user)
        .only("kind", "subject", "status", "created_at", "read_at", "path", "context")
        .order_by("-created_at", "-id")
    )


def notification_get_for_user(*, user: User, notification_id: int) -> Notification:
    """One entry of the person's inbox; 404 whether it is missing or someone else's."""
    row = _inbox_of(user).filter(pk=notification_id).first()
    if row is None:
        raise Http404
    return row


@dataclass(frozen=True)
class Unread:
    count: int = 0
    newest_id: int | None = None  # what "mark all as read" marks up to
    more: bool = False  # more than UNREAD_SHOWN

    @property
    def label(self) -> str:
        return f"{self.count}+" if self.more else str(self.count)


def notification_unread_for(*, user: User) -> Unread:
    """How many unread entries a person has (up to UNREAD_SHOWN), in one bounded query."""
    ids = list(
        _inbox_of(user)
        .filter(read_at__isnull=True)
        .order_by("-id")
        .values_list("id", flat=True)[: UNREAD_SHOWN + 1]
    )
    return Unread(
        count=min(len(ids), UNREAD_SHOWN),
        newest_id=ids[0] if ids else None,
        more=len(ids) > UNREAD_SHOWN,
    )


def email_kinds_for(*, user: User) -> tuple[str, ...]:
    """The kinds of events a person may choose to get by email: those of their side."""
    return optional_email_kinds(side=STAFF if user.is_staff else CONTACTS)


def notification_preference_for_user(*, user: User) -> NotificationPreference:
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(
        user=user
    )


def outbox_stuck(*, channel: Channel, limit: int = 100) -> list[OutboxRow]:
    """What of ``channel`` is stuck, most recent first: rows that failed, and rows that
    failed an attempt and wait for the next (served by the channel's stuck index)."""
    return list(
        channel.model.objects.filter(Q(status=FAILED) | Q(status=PENDING, attempts__gt=0))
        .select_related(*channel.related)
        .order_by("-id")[:limit]
    )
