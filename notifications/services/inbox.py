"""A person's inbox: marking entries read, and choosing which events email them."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from companies.models import User

from ..models import Notification, NotificationPreference
from ..selectors import email_kinds_for


def notification_mark_read(*, user: User, notification_id: int) -> int:
    """Mark one of the person's own entries read; how many changed (0 if it was read).

    Rule: only the recipient marks an entry; anyone else's id changes nothing.
    """
    return Notification.objects.filter(
        pk=notification_id, recipient=user, read_at__isnull=True
    ).update(read_at=timezone.now())


def notification_mark_all_read(*, user: User, up_to_id: int | None = None) -> int:
    """Mark what the person was shown as read: their entries up to ``up_to_id``.

    Rule: an entry that arrived after the page was shown (a higher id) stays
    unread; without ``up_to_id``, all of them are marked.
    """
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if up_to_id is not None:
        rows = rows.filter(pk__lte=up_to_id)
    return rows.update(read_at=timezone.now())


@transaction.atomic
def notification_preferences_update(
    *, user: User, emailed: Iterable[str]
) -> NotificationPreference:
    """Which of the kinds offered to the person email them; the rest stay in the inbox only.

    Rule: a person chooses among the kinds of their side of the portal; decision
    requests are always emailed and never offered; a choice about a kind not
    offered to them now (they were a contact, now a site admin) is kept.
    """
    offered = set(email_kinds_for(user=user))
    wanted = set(emailed) & offered
    preference, _ = NotificationPreference.objects.select_for_update().get_or_create(user=user)
    kept = set(preference.email_off) - offered
    preference.email_off = sorted(kept | (offered - wanted))
    preference.save(update_fields=["email_off"])
    return preference
