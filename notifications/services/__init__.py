"""The outbox and the inbox: one row per person told of an event.

``engine``: the one outbox engine every channel's rows go through (claim, send,
mark, backoff, sweep, resend); ``outbox``: notifications written with the
change they announce; ``delivery``: the email channel; ``webhooks``: events
posted to the receivers site admins registered, the webhook channel; ``inbox``:
what a person does with their own entries and preferences.
"""

from .delivery import EMAIL, notification_resend, notification_send, notification_sweep
from .engine import (
    AttemptFailed,
    Channel,
    SendResult,
    channel_named,
    channels,
    outbox_resend,
    outbox_send,
    outbox_sweep,
    register,
)
from .inbox import (
    notification_mark_all_read,
    notification_mark_read,
    notification_preferences_update,
)
from .outbox import notification_enqueue, staff_recipients
from .webhooks import WEBHOOK, webhook_enqueue, webhook_resend, webhook_send, webhook_sweep

__all__ = [
    "EMAIL",
    "WEBHOOK",
    "AttemptFailed",
    "Channel",
    "SendResult",
    "channel_named",
    "channels",
    "notification_enqueue",
    "notification_mark_all_read",
    "notification_mark_read",
    "notification_preferences_update",
    "notification_resend",
    "notification_send",
    "notification_sweep",
    "outbox_resend",
    "outbox_send",
    "outbox_sweep",
    "register",
    "staff_recipients",
    "webhook_enqueue",
    "webhook_resend",
    "webhook_send",
    "webhook_sweep",
]
