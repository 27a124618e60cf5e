"""Offers that ran past their expiry."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from notifications import events as notify

from ..models import Quote, QuoteEventKind, QuoteStatus
from ._common import touch, write_event


@transaction.atomic
def _quote_expire(*, quote_id: int, now: datetime) -> bool:
    quote = Quote.objects.select_for_update().get(pk=quote_id)
    # Re-checked under the lock: the buyer may have countered or accepted meanwhile.
    if quote.status != QuoteStatus.OFFERED or quote.expires_at is None or quote.expires_at > now:
        return False
    quote.save(update_fields=touch(quote, now, status=QuoteStatus.EXPIRED))
    write_event(quote, kind=QuoteEventKind.EXPIRED, actor=None, from_status=QuoteStatus.OFFERED)
    notify.quote_expired(quote=quote)
    return True


def quote_expire_due(*, now: datetime | None = None) -> int:
    """Mark offers past their expiry ``expired``; returns how many.

    Rule: only offers, only once. Each quote moves in its own transaction, so
    running this twice, or twice at once, expires each offer exactly once.
    """
    now = now or timezone.now()
    due = Quote.objects.filter(status=QuoteStatus.OFFERED, expires_at__lte=now).order_by(
        "expires_at", "id"
    )
    return sum(
        _quote_expire(quote_id=quote_id, now=now)
        for quote_id in list(due.values_list("pk", flat=True))
    )
