"""The outbox engine: every channel's rows are claimed, sent, marked, swept and re-sent here.

A channel (emails, webhooks, and next cXML documents or ERP messages) is one
class: it names its row model (``notifications.outbox.OutboxRow``) and the
prefix of its settings, says how to send one row and what makes a row
unsendable. Everything else is the same for every channel:

- **Claim, then send outside any transaction.** A worker takes a pending row
  (``sending``, with the time of its claim) and commits before it talks to the
  other side, then marks the row if its claim still stands. Two workers never
  send one row; no lock is held while the other side answers.
- **Backoff.** A failed attempt puts the row back to ``pending`` with
  ``next_attempt_at`` = now + ``<PREFIX>_RETRY_BASE_SECONDS`` × 2ⁿ⁻¹ (at most
  ``<PREFIX>_RETRY_MAX_SECONDS``); the ``<PREFIX>_MAX_ATTEMPTS``-th failed
  attempt fails it, for a site admin to look at.
- **One sweep** (every minute, from beat) queues what is due: a row that failed
  an attempt once its ``next_attempt_at`` has come, a row never tried once it
  has waited ``<PREFIX>_SWEEP_AFTER_SECONDS`` for its on-commit dispatch (a
  broker that was down, a lost task), and a claim older than
  ``<PREFIX>_CLAIM_TIMEOUT_SECONDS`` (a worker that died): released, or failed
  when that was its last attempt (the row may be what kills the worker).
- **Resend**: a site admin sends rows again, with a fresh count of attempts.

Delivery is at least once per row: the one case that repeats a message is a
worker dying between the other side's "OK" and marking the row, and each
channel makes a copy recognisable (an email's Message-ID, a webhook's event id).

A new channel, beside its row model (``class CxmlDocument(OutboxRow)`` with
``indexes = outbox_indexes("cxml")``) and five ``CXML_*`` settings::

    class CxmlChannel(Channel):
        name, model, settings_prefix = "cxml", CxmlDocument, "CXML"
        related = ("connection",)

        def send(self, row):  # raise (AttemptFailed) and the attempt failed
            status = post_cxml(row.connection.url, row.body)
            return {"last_response_code": status}

        def unsendable(self, row):
            return "" if row.connection.is_active else "Not sent: the connection was closed."

    CXML = register(CxmlChannel())

Its rows are queued with ``transaction.on_commit(lambda: dispatch(CXML, ids))``;
the task, the sweep, the resend and the admin page of what is stuck find it in
the registry.
"""

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, ClassVar, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.transitions import transition, transition_all

from ..dispatch import dispatch, publish
from ..outbox import PENDING, SENDING, SITE_ADMIN, SWEEP, WORKER, OutboxRow

logger = logging.getLogger(__name__)

ERROR_LENGTH = 2000


class SendResult(Enum):
    SENT = "sent"
    SKIPPED = "skipped"  # already sent, failed for good, or being sent right now
    RETRY = "retry"
    FAILED = "failed"


class AttemptFailed(Exception):
    """The other side did not take the row; ``fields``: what the row records of the
    answer beside the error (a webhook's response code)."""

    def __init__(self, error: str, **fields: Any):
        super().__init__(error)
        self.fields = fields


class Channel:
    """How one kind of outbox row is sent. Subclass it, then ``register`` an instance.

    ``name`` is what the send task carries; ``settings_prefix`` names the channel's
    settings (``<PREFIX>_MAX_ATTEMPTS``, ``_RETRY_BASE_SECONDS``,
    ``_RETRY_MAX_SECONDS``, ``_SWEEP_AFTER_SECONDS``, ``_CLAIM_TIMEOUT_SECONDS``).
    """

    name: ClassVar[str]
    model: ClassVar[type[OutboxRow]]
    settings_prefix: ClassVar[str]
    # What ``send`` and ``unsendable`` read beside the row, fetched with the claim.
    related: ClassVar[tuple[str, ...]] = ()
    # In-process mode (no broker): True sends in the thread that committed, at once;
    # False in a thread of the channel's own, so a slow other side never holds a
    # page up.
    eager_inline: ClassVar[bool] = False

    def send(self, row: OutboxRow) -> Mapping[str, Any]:
        """Send one claimed row; the fields to record on it. Raising is a failed
        attempt (``AttemptFailed`` to record fields of the answer)."""
        raise NotImplementedError

    def unsendable(self, row: OutboxRow) -> str:
        """Why a pending row must no longer be sent (its recipient is gone), or ""."""
        return ""

    def describe(self, row: OutboxRow) -> str:
        """The row as a site admin recognises it (what, to whom), from ``related``."""
        return str(row)

    def setting(self, name: str) -> Any:
        key = f"{self.settings_prefix}_{name}"
        if not hasattr(settings, key):
            raise ImproperlyConfigured(f"The {self.name} channel needs the setting {key}.")
        return getattr(settings, key)

    @property
    def max_attempts(self) -> int:
        return self.setting("MAX_ATTEMPTS")

    def backoff(self, attempts: int) -> timedelta:
        """How long to wait after the ``attempts``-th failed attempt: base × 2^(n-1), capped."""
        delay = self.setting("RETRY_BASE_SECONDS") * 2 ** max(min(attempts, 20) - 1, 0)
        return timedelta(seconds=min(delay, self.setting("RETRY_MAX_SECONDS")))

    def schedule(self) -> list[timedelta]:
        """When each attempt is made, from the first: what the settings promise."""
        waited, times = timedelta(0), [timedelta(0)]
        for attempt in range(1, self.max_attempts):
            waited += self.backoff(attempt)
            times.append(waited)
        return times


_channels: dict[str, Channel] = {}

C = TypeVar("C", bound=Channel)


def register(channel: C) -> C:
    """Make ``channel`` known to the task, the sweep and the admin view."""
    _channels[channel.name] = channel
    return channel


def channels() -> list[Channel]:
    return list(_channels.values())


def channel_named(name: str) -> Channel:
    return _channels[name]


# --- Sending one row: in a worker -------------------------------------------------


def outbox_send(*, channel: Channel, row_id: int) -> SendResult:
    """Send one row of ``channel``.

    Rule: only a pending row is sent, by the one worker that claimed it, and no
    lock is held while the other side answers; a failed attempt is due again
    after the channel's backoff, and the last one fails the row.
    """
    claim = _claim(channel, row_id)
    if not isinstance(claim, OutboxRow):
        return claim
    try:
        fields = channel.send(claim)
    except AttemptFailed as exc:
        return _attempt_failed(channel, claim, str(exc), exc.fields)
    except Exception as exc:  # refused, unreachable, timed out, …: one attempt spent
        return _attempt_failed(channel, claim, f"{type(exc).__name__}: {exc}", {})
    _mark_sent(channel, claim, fields)
    return SendResult.SENT


@transaction.atomic
def _claim(channel: Channel, row_id: int) -> OutboxRow | SendResult:
    """Take a pending row for this worker and commit, or say why not."""
    row = (
        channel.model.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related(*channel.related)
        .filter(pk=row_id, status=PENDING)
        .first()
    )
    if row is None:  # sent, failed, being sent, or locked by a worker claiming it now
        return SendResult.SKIPPED
    reason = channel.unsendable(row)
    if reason:
        row.last_error = reason
        row.next_attempt_at = None
        transition(row, "give_up", by=WORKER, fields=["last_error", "next_attempt_at"])
        return SendResult.FAILED
    row.attempts += 1
    row.claimed_at = timezone.now()
    transition(row, "claim", by=WORKER, fields=["attempts", "claimed_at"])
    return row


def _still_claimed(channel: Channel, row: OutboxRow) -> OutboxRow | None:
    """The row, locked, if the claim ``row`` was taken with still stands."""
    return (
        channel.model.objects.select_for_update()
        .filter(pk=row.pk, status=SENDING, claimed_at=row.claimed_at)
        .first()
    )


def _record(row: OutboxRow, fields: Mapping[str, Any]) -> list[str]:
    for name, value in fields.items():
        setattr(row, name, value)
    return list(fields)


@transaction.atomic
def _mark_sent(channel: Channel, row: OutboxRow, fields: Mapping[str, Any]) -> None:
    current = _still_claimed(channel, row)
    if current is None:
        # Only after the claim timeout: the sweep gave the row to another worker,
        # which may send it again.
        logger.warning("%s row %s sent after its claim was released.", channel.name, row.pk)
        return
    changed = _record(
        current, {**fields, "sent_at": timezone.now(), "next_attempt_at": None, "last_error": ""}
    )
    transition(current, "mark_sent", by=WORKER, fields=changed)


@transaction.atomic
def _attempt_failed(
    channel: Channel, row: OutboxRow, error: str, fields: Mapping[str, Any]
) -> SendResult:
    logger.warning("%s row %s not sent: %s", channel.name, row.pk, error)
    current = _still_claimed(channel, row)
    if current is None:
        return SendResult.SKIPPED
    spent = current.attempts >= channel.max_attempts
    next_attempt_at = None if spent else timezone.now() + channel.backoff(current.attempts)
    changed = _record(
        current,
        {**fields, "last_error": error[:ERROR_LENGTH], "next_attempt_at": next_attempt_at},
    )
    transition(current, "give_up" if spent else "defer", by=WORKER, fields=changed)
    return SendResult.FAILED if spent else SendResult.RETRY


# --- The sweep: from beat, every minute ---------------------------------------------


def outbox_sweep(
    *, channel: Channel | None = None, now: datetime | None = None, limit: int = 500
) -> int:
    """Queue every channel's due rows (or ``channel``'s); how many were queued.

    Covers a failed attempt whose wait is over, a broker that was down or hung at
    commit, a lost task, and a worker that died while sending (its claim is
    released first). It runs where nobody waits for it: it publishes at once and
    stops at the first failure (the next sweep tries again).
    """
    now = now or timezone.now()
    return sum(_sweep(one, now=now, limit=limit) for one in ([channel] if channel else channels()))


def _sweep(channel: Channel, *, now: datetime, limit: int) -> int:
    released = _release_abandoned_claims(channel, now=now, limit=limit)
    never_tried = now - timedelta(seconds=channel.setting("SWEEP_AFTER_SECONDS"))
    # A row that failed an attempt is due at its next_attempt_at; one never tried is
    # left a while to the dispatch of the transaction that wrote it.
    due = (
        channel.model.objects.filter(status=PENDING, next_attempt_at__lte=now)
        .filter(Q(attempts__gt=0) | Q(next_attempt_at__lte=never_tried))
        .exclude(pk__in=released)
        .order_by("next_attempt_at")
    )
    ids = released + list(due.values_list("pk", flat=True)[:limit])
    publish(channel.name, ids)
    return len(ids)


@transaction.atomic
def _release_abandoned_claims(channel: Channel, *, now: datetime, limit: int) -> list[int]:
    """Rows claimed longer ago than a worker can take: back to pending, or failed.

    A row whose every attempt was used up this way (it may be what kills the
    worker) fails instead of going round again.
    """
    cutoff = now - timedelta(seconds=channel.setting("CLAIM_TIMEOUT_SECONDS"))
    rows = list(
        channel.model.objects.select_for_update(skip_locked=True)
        .filter(status=SENDING, claimed_at__lte=cutoff)
        .order_by("claimed_at")[:limit]
    )
    spent = [row for row in rows if row.attempts >= channel.max_attempts]
    again = [row for row in rows if row.attempts < channel.max_attempts]
    if spent:
        channel.model.objects.filter(pk__in=[row.pk for row in spent]).update(
            last_error="Not sent: no worker finished sending it.", next_attempt_at=None
        )
        transition_all(spent, "give_up", by=SWEEP)
    if again:
        channel.model.objects.filter(pk__in=[row.pk for row in again]).update(next_attempt_at=now)
        transition_all(again, "release", by=SWEEP)
    return [row.pk for row in again]


# --- The site admin's hand ------------------------------------------------------------


def outbox_resend(*, channel: Channel, row_ids: Iterable[int]) -> int:
    """A site admin sends rows of ``channel`` again, now; how many.

    Rule: only rows the channel's ``resend`` move starts from (failed, or waiting
    for their next attempt), with a fresh count of attempts; a row being sent at
    this moment is left alone.
    """
    with transaction.atomic():
        rows = list(
            channel.model.objects.select_for_update(skip_locked=True).filter(
                pk__in=list(row_ids), status__in=channel.model.MOVES["resend"].sources
            )
        )
        ids = [row.pk for row in rows]
        channel.model.objects.filter(pk__in=ids).update(
            attempts=0, last_error="", next_attempt_at=timezone.now()
        )
        transition_all(rows, "resend", by=SITE_ADMIN)
        transaction.on_commit(lambda: dispatch(channel, ids))
    return len(ids)
