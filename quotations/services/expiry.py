"""Offers about to run, and that ran, past their expiry."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .. import notify
from ..models import QUOTE_MOVES, Quote, QuoteEventKind
from ._common import lock_quote, move, write_event


@transaction.atomic
def _quote_expire(*, quote_id: int, now: datetime) -> bool:
    quote = lock_quote(quote_id)
    # Re-checked under the lock: the buyer may have countered or accepted meanwhile.
    if not quote.allows("expire") or quote.expires_at is None or quote.expires_at > now:
        return False
    done = move(quote, "expire", now, actor=None)
    write_event(quote, kind=QuoteEventKind.EXPIRED, actor=None, from_status=done.source)
    notify.quote_expired(quote=quote)
    return True


def quote_expire_due(*, now: datetime | None = None) -> int:
    """Mark offers past their expiry ``expired``; returns how many.

    Rule: only offers, only once. Each quote moves in its own transaction, so
    running this twice, or twice at once, expires each offer exactly once.
    """
    now = now or timezone.now()
    due = Quote.objects.filter(
        status__in=QUOTE_MOVES["expire"].sources, expires_at__lte=now
    ).order_by("expires_at", "id")
    return sum(
        _quote_expire(quote_id=quote_id, now=now)
        for quote_id in list(due.values_list("pk", flat=True))
    )


WARNING_BATCH = 500


def quote_expiry_warnings_send(*, now: datetime | None = None) -> int:
    """Tell buyers of offers that expire within 24 hours, once per offer.

    Every such offer is read, in batches, however many there are; the warning's
    key names the offer's version, so a run twice (or two at once) queues it once.
    """
    now = now or timezone.now()
    soon = Quote.objects.filter(
        status__in=QUOTE_MOVES["expire"].sources,
        expires_at__gt=now,
        expires_at__lte=now + timedelta(hours=24),
    ).order_by("expires_at", "id")
    queued = 0
    after = Q()
    while batch := list(
        soon.filter(after)
        .select_related("requested_by", "company")
        .prefetch_related("lines")[:WARNING_BATCH]
    ):
        for quote in batch:
            with transaction.atomic():
                queued += notify.quote_expiring(quote=quote)
        last = batch[-1]
        after = Q(expires_at__gt=last.expires_at) | Q(expires_at=last.expires_at, pk__gt=last.pk)
    return queued
