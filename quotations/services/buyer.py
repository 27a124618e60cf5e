"""What the buyer's side does with a quote: ask, change, withdraw, accept, order."""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from companies.models import User
from companies.services import company_lock_for_ordering
from core.caching import bump
from core.domain import InvalidState
from core.submissions import submission_claim, submission_done
from core.transitions import check, initial_status
from orders.services import (
    Header,
    HeaderRequest,
    PricedLine,
    header_changes,
    header_check,
    order_place_at_agreed_prices,
)

from .. import notify
from ..models import (
    CENT,
    Quote,
    QuoteEventKind,
    QuoteLine,
    QuoteStatus,
    RevisionKind,
    quote_number,
    status_version,
)
from ._common import (
    AskedLine,
    CheckedQuoteLine,
    check_buyer,
    check_lines,
    check_not_expired,
    check_requester,
    clean_text,
    lock_quote,
    move,
    side_of,
    write_event,
    write_message,
    write_revision,
)


def _write_lines(quote: Quote, lines: Sequence[CheckedQuoteLine]) -> None:
    QuoteLine.objects.bulk_create(
        QuoteLine(
            quote=quote,
            product=line.product,
            quantity=line.quantity,
            target_unit_price=line.target_unit_price,
        )
        for line in lines
    )


@transaction.atomic
def quote_request(
    *,
    buyer: User,
    lines: Sequence[AskedLine],
    message: str = "",
    header: HeaderRequest | None = None,
    submission_key: UUID | None = None,
) -> Quote:
    """Ask the seller for a price on one or more lines.

    Rule: an active contact of an active company; at least one line of an active
    product, 1..100,000 each; target prices 0..1,000,000; a message up to 5,000
    characters. ``lines`` are ``QuoteLineRequest`` (or an order form's ``LineRequest``).
    The header (PO reference, delivery, cost centre, note) obeys the order's rules
    (``orders.services.header``) and goes into the order placed from the quote.
    One quote per submitted form.
    """
    submission_claim(key=submission_key, user=buyer)
    company = check_buyer(buyer)
    checked = check_lines(company_id=company.pk, lines=lines)
    body = clean_text(message, required=False, field="message")
    quote = Quote(
        company=company,
        requested_by=buyer,
        status=initial_status(Quote, "request", by=side_of(buyer)),
    )
    header_check(company=company, header=header or HeaderRequest()).write_to(quote)
    quote.save()
    quote.number = quote_number(quote.pk)
    quote.save(update_fields=["number"])
    bump(status_version(), status_version(company.pk))
    _write_lines(quote, checked)
    write_revision(quote, kind=RevisionKind.REQUESTED, author=buyer)
    write_event(quote, kind=QuoteEventKind.REQUESTED, actor=buyer, from_status="")
    write_message(quote, author=buyer, body=body)
    notify.quote_requested(quote=quote, actor=buyer)
    submission_done(key=submission_key, result=quote.number)
    return quote


@transaction.atomic
def quote_edit(
    *,
    quote_id: int,
    actor: User,
    lines: Sequence[AskedLine],
    seen_version: int,
    message: str = "",
    header: HeaderRequest | None = None,
    submission_key: UUID | None = None,
) -> Quote:
    """Replace a quote's lines (and its header, when given); editing an offer is a
    counter-proposal.

    Rule: the buyer's company, while requested or offered, from the version seen.
    The quote goes (back) to the seller; an offer on it no longer stands. The
    header obeys ``orders.services.header``; what changed in it is written in
    the quote's history.
    """
    submission_claim(key=submission_key, user=actor)
    quote = lock_quote(quote_id)
    check_requester(actor, quote)
    check(quote, "edit", seen_version=seen_version)
    checked = check_lines(company_id=quote.company_id, lines=lines)
    body = clean_text(message, required=False, field="message")
    header_fields: list[str] = []
    changed: list[str] = []
    if header is not None:
        new_header = header_check(company=quote.company, header=header)
        changed = header_changes(Header.of(quote), new_header)
        header_fields = new_header.write_to(quote)
    quote.lines.all().delete()
    _write_lines(quote, checked)
    quote.expires_at = None
    done = move(quote, "edit", timezone.now(), actor=actor, fields=["expires_at", *header_fields])
    kind = RevisionKind.COUNTERED if done.source == QuoteStatus.OFFERED else RevisionKind.EDITED
    write_revision(quote, kind=kind, author=actor)
    write_event(
        quote,
        kind=QuoteEventKind.EDITED,
        actor=actor,
        from_status=done.source,
        comment="\n".join(changed),
    )
    write_message(quote, author=actor, body=body)
    notify.quote_edited(quote=quote, actor=actor)
    submission_done(key=submission_key, result=quote.number)
    return quote


@transaction.atomic
def quote_withdraw(*, quote_id: int, actor: User, seen_version: int, comment: str = "") -> Quote:
    """Withdraw a quote (the buyer's "delete"). It stays, with its thread.

    Rule: the buyer's company, while requested or offered.
    """
    quote = lock_quote(quote_id)
    check_requester(actor, quote, active_company=False)
    check(quote, "withdraw", seen_version=seen_version)
    comment = clean_text(comment, required=False, field="comment")
    done = move(quote, "withdraw", timezone.now(), actor=actor)
    write_event(
        quote, kind=QuoteEventKind.WITHDRAWN, actor=actor, from_status=done.source, comment=comment
    )
    notify.quote_withdrawn(quote=quote, actor=actor)
    return quote


@transaction.atomic
def quote_accept(
    *, quote_id: int, actor: User, seen_version: int, now: datetime | None = None
) -> Quote:
    """Accept the seller's offer as it stands.

    Rule: the buyer's company, only an offer, only before its expiry, only the
    offer the person saw.
    """
    now = now or timezone.now()
    quote = lock_quote(quote_id)
    check_requester(actor, quote)
    check(quote, "accept", seen_version=seen_version)
    check_not_expired(quote, now)
    done = move(quote, "accept", now, actor=actor)
    write_event(quote, kind=QuoteEventKind.ACCEPTED, actor=actor, from_status=done.source)
    notify.quote_accepted(quote=quote, actor=actor)
    return quote


@transaction.atomic
def quote_place_order(
    *, quote_id: int, actor: User, seen_version: int, submission_key: UUID | None = None
) -> Quote:
    """Turn an accepted quote into an order at the agreed prices and quantities.

    Rule: the buyer's company, only an accepted quote, only once. The order is
    placed through ``order_place_at_agreed_prices`` and so routed for approval
    like any other; it carries the quote's header (a PO reference an order took
    since is refused, naming that order). Locks the buyer's company, then the
    quote, before the order is created (company -> quote -> order).
    """
    submission_claim(key=submission_key, user=actor)
    if actor.company_id is not None:
        company_lock_for_ordering(company_id=actor.company_id)
    quote = lock_quote(quote_id)
    check_requester(actor, quote)
    check(quote, "place_order", seen_version=seen_version)
    lines = list(quote.lines.select_related("product").order_by("id"))
    if not lines or any(line.offered_unit_price is None for line in lines):
        raise InvalidState(
            _("Quote %(number)s has no agreed price for every line.") % {"number": quote.number}
        )
    priced = [
        PricedLine(
            product=line.product,
            quantity=line.quantity,
            unit_price=line.offered_unit_price.quantize(CENT),
        )
        for line in lines
    ]
    order = order_place_at_agreed_prices(
        buyer=actor, priced=priced, quote_number=quote.number, header=Header.of(quote)
    )
    quote.order = order
    done = move(quote, "place_order", timezone.now(), actor=actor, fields=["order"])
    write_event(
        quote,
        kind=QuoteEventKind.ORDERED,
        actor=actor,
        from_status=done.source,
        comment=order.number,
    )
    submission_done(key=submission_key, result=order.number)
    return quote
