"""The outbox and the inbox: one row per person told of an event.

``outbox``: rows written with the change they announce; ``delivery``: their
emails sent after commit, swept, at least once; ``inbox``: what a person does
with their own entries and preferences; ``webhooks``: events posted to the
receivers site admins registered, in the same way.
"""

from .delivery import SendResult, notification_resend, notification_send, notification_sweep
from .inbox import (
    notification_mark_all_read,
    notification_mark_read,
    notification_preferences_update,
)
from .outbox import notification_enqueue, staff_recipients
from .webhooks import webhook_enqueue, webhook_resend, webhook_send, webhook_sweep

__all__ = [
    "SendResult",
    "notification_enqueue",
    "notification_mark_all_read",
    "notification_mark_read",
    "notification_preferences_update",
    "notification_resend",
    "notification_send",
    "notification_sweep",
    "staff_recipients",
    "webhook_enqueue",
    "webhook_resend",
    "webhook_send",
    "webhook_sweep",
]
