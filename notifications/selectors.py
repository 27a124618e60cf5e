from django.db.models import QuerySet

from companies.models import User

from .models import Notification, NotificationPreference


def notification_list_for_user(*, user: User) -> QuerySet[Notification]:
    """A person's own notifications, newest first (served by the inbox index)."""
    return (
        Notification.objects.filter(recipient=user)
        .only("kind", "subject", "status", "created_at", "sent_at", "context")
        .order_by("-created_at", "-id")
    )


def notification_preference_for_user(*, user: User) -> NotificationPreference:
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(
        user=user
    )
