"""The outbox row: what every channel's rows share, and the one table of their moves.

A row is written in the same transaction as the change it announces. A worker
claims it (``sending``, committed) and sends it outside any transaction, then
marks it ``sent``; a failed attempt puts it back to ``pending`` until
``next_attempt_at`` (the channel's backoff), and the last one it may make fails
it. The engine that moves rows is ``notifications.services.engine``; a channel
(emails, webhooks, …) gives it a row model extending ``OutboxRow`` and a class
that sends one row.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.transitions import NEW, Move, Stateful


class OutboxStatus(models.TextChoices):
    """Where a row's sending is. A channel's row may add statuses of its own (and label
    these its own way) with the same values."""

    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


# Who moves a row: the service announcing an event, the worker sending it, the
# periodic sweep, a site admin in Django admin.
EVENT, WORKER, SWEEP, SITE_ADMIN = "event", "worker", "sweep", "site_admin"

PENDING, SENDING, SENT, FAILED = (
    OutboxStatus.PENDING,
    OutboxStatus.SENDING,
    OutboxStatus.SENT,
    OutboxStatus.FAILED,
)

# Every move of an outbox row; ``transition`` (core.transitions) writes them.
# A worker claims a row and commits before it talks to the other side, and marks
# it afterwards, so no lock is held across the conversation; a claim left by a
# worker that died is released by the sweep after the channel's claim timeout.
OUTBOX_MOVES: dict[str, Move] = {
    "queue": Move(EVENT, {NEW}, {PENDING}),
    "claim": Move(WORKER, {PENDING}, {SENDING}),
    "mark_sent": Move(WORKER, {SENDING}, {SENT}),
    # the other side refused or failed; attempts remain: due again at next_attempt_at
    "defer": Move(WORKER, {SENDING}, {PENDING}),
    # no attempts left (the worker's last, or the sweep's for a claim a dead worker left),
    # or the row can no longer be sent (its recipient is gone)
    "give_up": Move({WORKER, SWEEP}, {PENDING, SENDING}, {FAILED}),
    # the worker that claimed it died before it could say how it went
    "release": Move(SWEEP, {SENDING}, {PENDING}),
    # a site admin sends a failed row again, or one waiting for its next attempt now
    "resend": Move(SITE_ADMIN, {FAILED, PENDING}, {PENDING}),
}


def outbox_indexes(prefix: str) -> list[models.Index]:
    """The indexes the engine reads a channel's rows through: what is due (the sweep),
    what is claimed (released after the timeout), and what is stuck (the admin view).
    ``prefix`` names them (index names are short)."""
    return [
        models.Index(
            fields=["next_attempt_at"], condition=Q(status=PENDING), name=f"{prefix}_pending_idx"
        ),
        models.Index(
            fields=["claimed_at"], condition=Q(status=SENDING), name=f"{prefix}_sending_idx"
        ),
        models.Index(
            fields=["-id"],
            condition=Q(status=FAILED) | Q(status=PENDING, attempts__gt=0),
            name=f"{prefix}_stuck_idx",
        ),
    ]


class OutboxRow(Stateful):
    """A message for one recipient, sent at least once by the outbox engine.

    A channel's row model extends this with what it sends and to whom, and lists
    ``outbox_indexes`` in its ``Meta``.
    """

    MOVES = OUTBOX_MOVES

    status = models.CharField(
        _("status"), max_length=10, choices=OutboxStatus.choices, default=PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # When a pending row is due: at once when queued, after the channel's backoff
    # when an attempt failed; none once it is sent or failed.
    next_attempt_at = models.DateTimeField(
        _("next attempt"), null=True, blank=True, default=timezone.now
    )
    # When a worker last took the row to send it: its claim, checked when it marks
    # the row, and the age after which the sweep releases it.
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        abstract = True
