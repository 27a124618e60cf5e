"""What the seller's quote desk does: offer prices, accept as asked, reject."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from companies.models import User
from core.domain import InvalidInput
from core.submissions import submission_claim, submission_done
from core.transitions import check
from orders.services.lines import quantity_problem

from .. import notify
from ..models import CENT, Quote, QuoteEventKind, QuoteLine, RevisionKind
from ..selectors import quote_lines_priced
from ._common import (
    OfferedLine,
    check_desk,
    check_total,
    clean_text,
    lock_quote,
    move,
    price_error,
    write_event,
    write_message,
    write_revision,
)

# An offer binds the seller; one valid for more than a year is a typo.
MAX_OFFER_VALIDITY = timedelta(days=366)


def _check_expiry(expires_at: datetime | None, now: datetime) -> None:
    if expires_at is None:
        raise InvalidInput(
            _("An offer needs an expiry date."), errors={"expires_on": [_("Until when?")]}
        )
    if expires_at <= now:
        raise InvalidInput(
            _("An offer must expire in the future."),
            errors={"expires_on": [_("Pick a date from today on.")]},
        )
    if expires_at > now + MAX_OFFER_VALIDITY:
        raise InvalidInput(
            _("An offer can be valid for at most a year."),
            errors={"expires_on": [_("Pick a date within a year.")]},
        )


@transaction.atomic
def quote_offer(
    *,
    quote_id: int,
    actor: User,
    lines: Sequence[OfferedLine],
    expires_at: datetime | None,
    seen_version: int,
    message: str = "",
    now: datetime | None = None,
    submission_key: UUID | None = None,
) -> Quote:
    """Offer a unit price for every line (and maybe another quantity), valid until a date.

    Rule: site admins with the quote desk permission, while requested or offered
    (offering again revises the offer), from the version seen; prices 0..1,000,000.
    """
    check_desk(actor)
    submission_claim(key=submission_key, user=actor)
    now = now or timezone.now()
    quote = lock_quote(quote_id)
    check(quote, "offer", seen_version=seen_version)
    _check_expiry(expires_at, now)
    body = clean_text(message, required=False, field="message")
    current = {line.pk: line for line in quote.lines.select_related("product")}
    offered = {line.line_id: line for line in lines}
    if set(offered) != set(current) or len(offered) != len(lines):
        raise InvalidInput(_("Offer one price for every line of the quote."))
    errors: dict[str | None, list[str]] = {}
    for line_id, answer in offered.items():
        sku = current[line_id].product.sku
        if (error := price_error(answer.unit_price)) is not None:
            errors.setdefault(sku, []).append(error)
        if answer.quantity is not None and (error := quantity_problem(answer.quantity)):
            errors.setdefault(sku, []).append(error)
    if errors:
        raise InvalidInput(_("Some prices cannot be offered."), errors=errors)
    changed: list[QuoteLine] = []
    for line_id, line in current.items():
        answer = offered[line_id]
        line.offered_unit_price = answer.unit_price
        if answer.quantity is not None:
            line.quantity = answer.quantity
        changed.append(line)
    check_total(sum((line.offered_total for line in changed), Decimal("0.00")))
    QuoteLine.objects.bulk_update(changed, ["offered_unit_price", "quantity"])
    quote.expires_at = expires_at
    done = move(quote, "offer", now, actor=actor, fields=["expires_at"])
    write_revision(quote, kind=RevisionKind.OFFERED, author=actor)
    write_event(quote, kind=QuoteEventKind.OFFERED, actor=actor, from_status=done.source)
    write_message(quote, author=actor, body=body)
    notify.quote_offered(quote=quote, actor=actor)
    submission_done(key=submission_key, result=quote.number)
    return quote


@transaction.atomic
def quote_accept_as_requested(
    *, quote_id: int, actor: User, seen_version: int, message: str = ""
) -> Quote:
    """Agree to the quote as the buyer asked: their target price, else what the company
    pays today (``catalog.pricing``).

    Rule: site admins with the quote desk permission, only while requested,
    from the version seen.
    """
    check_desk(actor)
    quote = lock_quote(quote_id)
    check(quote, "accept_as_requested", seen_version=seen_version)
    body = clean_text(message, required=False, field="message")
    lines = quote_lines_priced(
        company_id=quote.company_id, lines=quote.lines.select_related("product")
    )
    for line in lines:
        line.offered_unit_price = line.requested_unit_price.quantize(CENT)
        error = price_error(line.offered_unit_price)
        if error:
            raise InvalidInput(
                _("%(sku)s: %(error)s Offer prices line by line instead.")
                % {"sku": line.product.sku, "error": error}
            )
    check_total(sum((line.offered_total for line in lines), Decimal("0.00")))
    QuoteLine.objects.bulk_update(lines, ["offered_unit_price"])
    quote.expires_at = None
    done = move(quote, "accept_as_requested", timezone.now(), actor=actor, fields=["expires_at"])
    write_revision(quote, kind=RevisionKind.ACCEPTED_AS_REQUESTED, author=actor)
    write_event(quote, kind=QuoteEventKind.ACCEPTED, actor=actor, from_status=done.source)
    write_message(quote, author=actor, body=body)
    notify.quote_offered(quote=quote, actor=actor)
    return quote


@transaction.atomic
def quote_reject(*, quote_id: int, actor: User, seen_version: int, reason: str) -> Quote:
    """Decline a quote, saying why.

    Rule: site admins with the quote desk permission, while requested or
    offered, from the version seen; a reason is required.
    """
    check_desk(actor)
    quote = lock_quote(quote_id)
    check(quote, "reject", seen_version=seen_version)
    reason = clean_text(reason, required=True, field="reason")
    done = move(quote, "reject", timezone.now(), actor=actor)
    write_event(
        quote, kind=QuoteEventKind.REJECTED, actor=actor, from_status=done.source, comment=reason
    )
    notify.quote_rejected(quote=quote, actor=actor, reason=reason)
    return quote
