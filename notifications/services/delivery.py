"""The outbox's emails: a ``Notification`` row sent by the outbox engine (``engine``).

Each row is sent at least once; a copy sent again after a worker died between
the SMTP server's "OK" and marking the row carries the row's own Message-ID.
An SMTP server that is down or refusing delays the email through the backoff
(NOTIFICATION_* settings) and fails it only once every attempt is spent.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from ..models import Notification
from ..rendering import render_email
from .engine import Channel, SendResult, outbox_resend, outbox_send, outbox_sweep, register


class EmailChannel(Channel):
    name = "email"
    model = Notification
    settings_prefix = "NOTIFICATION"
    related = ("recipient",)
    # In-process mode mails in the request that committed, as a first run expects.
    eager_inline = True

    def send(self, row: Notification) -> Mapping[str, Any]:
        render_email(row).send()
        return {}

    def unsendable(self, row: Notification) -> str:
        """The person left meanwhile: deactivated, or no longer of the company."""
        person = row.recipient
        if not person.is_active:
            return "Not sent: the recipient was deactivated."
        if not person.is_staff and person.company_id != row.company_id:
            return "Not sent: the recipient no longer belongs to the company."
        return ""

    def describe(self, row: Notification) -> str:
        return f"{row.subject} → {row.recipient.email}"


EMAIL = register(EmailChannel())


def notification_send(*, notification_id: int) -> SendResult:
    """Render and send one row's email (the engine's rule: claimed, no lock held)."""
    return outbox_send(channel=EMAIL, row_id=notification_id)


def notification_sweep(*, now: datetime | None = None, limit: int = 500) -> int:
    """Queue the emails that are due again; how many rows (the engine's sweep)."""
    return outbox_sweep(channel=EMAIL, now=now, limit=limit)


def notification_resend(*, notification_ids: Iterable[int]) -> int:
    """A site admin sends failed or waiting emails again, now, with a fresh count of attempts."""
    return outbox_resend(channel=EMAIL, row_ids=notification_ids)
