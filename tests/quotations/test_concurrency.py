from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.domain import DomainError, InvalidState, StaleVersion
from orders.models import Order
from quotations.models import Quote, QuoteEventKind, QuoteStatus, RevisionKind
from quotations.services import (
    OfferedLine,
    QuoteLineRequest,
    quote_accept,
    quote_edit,
    quote_expire_due,
    quote_offer,
    quote_place_order,
)
from tests.concurrency import run_at_once
from tests.factories import BuyerFactory, ProductFactory
from tests.quotations.factories import DeskStaffFactory, offer, request_quote

pytestmark = pytest.mark.django_db(transaction=True)


def _offered(buyer, desk, product, days: int = 14) -> Quote:
    quote = offer(request_quote(buyer, (product, 10)), desk, {product: "9.00"}, days=days)
    quote.refresh_from_db()
    return quote


def test_an_offer_and_a_buyer_edit_at_once_yield_one_outcome():
    # given a requested quote that the desk and the buyer both have open at version 1
    buyer, desk = BuyerFactory(), DeskStaffFactory()
    first, second = ProductFactory(), ProductFactory()
    quote = request_quote(buyer, (first, 10))
    line = quote.lines.get()

    # when the desk offers and the buyer edits at the same moment
    outcomes = run_at_once(
        lambda: quote_offer(
            quote_id=quote.pk,
            actor=desk,
            lines=[OfferedLine(line_id=line.pk, unit_price=Decimal("8.00"))],
            expires_at=timezone.now() + timedelta(days=7),
            seen_version=1,
        ),
        lambda: quote_edit(
            quote_id=quote.pk,
            actor=buyer,
            lines=[QuoteLineRequest(sku=second.sku, quantity=3)],
            seen_version=1,
        ),
    )

    # then exactly one wins, the other is told the quote changed, and the rows agree
    errors = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(errors) == 1
    assert isinstance(errors[0], StaleVersion)
    quote.refresh_from_db()
    assert quote.version == 2
    assert quote.revisions.count() == 2
    if quote.status == QuoteStatus.OFFERED:
        assert quote.revisions.last().kind == RevisionKind.OFFERED
        assert list(quote.lines.values_list("product", "offered_unit_price")) == [
            (first.pk, Decimal("8.00"))
        ]
    else:
        assert quote.status == QuoteStatus.REQUESTED
        assert quote.revisions.last().kind == RevisionKind.EDITED
        assert list(quote.lines.values_list("product", "offered_unit_price")) == [(second.pk, None)]


def test_a_double_clicked_accept_records_one_acceptance():
    buyer, desk = BuyerFactory(), DeskStaffFactory()
    quote = _offered(buyer, desk, ProductFactory())

    outcomes = run_at_once(
        lambda: quote_accept(quote_id=quote.pk, actor=buyer, seen_version=quote.version),
        lambda: quote_accept(quote_id=quote.pk, actor=buyer, seen_version=quote.version),
    )

    assert sum(isinstance(o, DomainError) for o in outcomes) == 1
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.ACCEPTED
    assert quote.events.filter(kind=QuoteEventKind.ACCEPTED).count() == 1


def test_two_colleagues_accepting_at_once_record_one_acceptance():
    buyer, desk = BuyerFactory(), DeskStaffFactory()
    colleague = BuyerFactory(company=buyer.company)
    quote = _offered(buyer, desk, ProductFactory())

    outcomes = run_at_once(
        lambda: quote_accept(quote_id=quote.pk, actor=buyer, seen_version=quote.version),
        lambda: quote_accept(quote_id=quote.pk, actor=colleague, seen_version=quote.version),
    )

    assert sum(isinstance(o, DomainError) for o in outcomes) == 1
    assert Quote.objects.get(pk=quote.pk).events.filter(kind=QuoteEventKind.ACCEPTED).count() == 1


def test_placing_the_order_twice_at_once_makes_one_order():
    # given an accepted quote open in two tabs
    buyer, desk = BuyerFactory(), DeskStaffFactory()
    quote = _offered(buyer, desk, ProductFactory())
    quote = quote_accept(quote_id=quote.pk, actor=buyer, seen_version=quote.version)

    # when both tabs place the order at once
    outcomes = run_at_once(
        lambda: quote_place_order(quote_id=quote.pk, actor=buyer, seen_version=quote.version),
        lambda: quote_place_order(quote_id=quote.pk, actor=buyer, seen_version=quote.version),
    )

    # then one order exists, linked to the quote, and the other tab was told why
    errors = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(errors) == 1
    assert Order.objects.count() == 1
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.ORDERED
    assert quote.order == Order.objects.get()
    assert quote.order.total == Decimal("90.00")


def test_an_accept_racing_the_expiry_sweep_yields_one_outcome():
    buyer, desk = BuyerFactory(), DeskStaffFactory()
    quote = _offered(buyer, desk, ProductFactory(), days=1)
    now = timezone.now() + timedelta(days=1, minutes=1)

    outcomes = run_at_once(
        lambda: quote_accept(quote_id=quote.pk, actor=buyer, seen_version=quote.version, now=now),
        lambda: quote_expire_due(now=now),
    )

    # past its expiry, the accept always loses: either the sweep ran first or the offer is stale
    assert isinstance(outcomes[0], InvalidState | StaleVersion)
    assert outcomes[1] == 1
    assert Quote.objects.get(pk=quote.pk).status == QuoteStatus.EXPIRED


def test_two_expiry_sweeps_at_once_expire_each_offer_once():
    buyer, desk = BuyerFactory(), DeskStaffFactory()
    quotes = [_offered(buyer, desk, ProductFactory(), days=1) for _ in range(3)]
    later = timezone.now() + timedelta(days=2)

    outcomes = run_at_once(
        lambda: quote_expire_due(now=later),
        lambda: quote_expire_due(now=later),
    )

    assert sum(outcomes) == 3
    for quote in quotes:
        assert quote.events.filter(kind=QuoteEventKind.EXPIRED).count() == 1
