from decimal import Decimal

import pytest
from django.urls import reverse

from core.domain import InvalidState
from orders.models import OrderStatus
from orders.services import LineRequest, order_cancel, order_edit
from quotations.services import quote_accept, quote_place_order
from tests.factories import ProductFactory
from tests.quotations.factories import offer, request_quote

pytestmark = pytest.mark.django_db


@pytest.fixture
def quoted_order(buyer, desk):
    product = ProductFactory(unit_price=Decimal("10.00"))
    quote = offer(request_quote(buyer, (product, 10)), desk, {product: "7.50"})
    quote = quote_accept(quote_id=quote.pk, actor=buyer, seen_version=quote.version)
    return quote_place_order(quote_id=quote.pk, actor=buyer, seen_version=quote.version).order


def test_an_order_from_a_quote_keeps_its_agreed_prices_against_an_edit(buyer, quoted_order):
    with pytest.raises(InvalidState, match="prices agreed in a quote"):
        order_edit(
            order_id=quoted_order.pk,
            actor=buyer,
            lines=[LineRequest(sku=quoted_order.lines.get().product.sku, quantity=20)],
            seen_version=quoted_order.version,
        )

    quoted_order.refresh_from_db()
    assert quoted_order.total == Decimal("75.00")
    assert quoted_order.lines.get().unit_price == Decimal("7.50")


def test_the_order_page_links_the_quote_and_offers_no_edit(client, buyer, quoted_order):
    client.force_login(buyer)

    body = client.get(reverse("orders:detail", args=[quoted_order.number])).content.decode()
    edit = client.get(reverse("orders:edit", args=[quoted_order.number]), follow=True)

    assert quoted_order.quote.number in body
    assert reverse("orders:edit", args=[quoted_order.number]) not in body
    assert "prices agreed in a quote" in edit.content.decode()


def test_an_order_from_a_quote_can_still_be_cancelled(buyer, quoted_order):
    order = order_cancel(order_id=quoted_order.pk, actor=buyer, seen_version=quoted_order.version)

    assert order.status == OrderStatus.CANCELLED
