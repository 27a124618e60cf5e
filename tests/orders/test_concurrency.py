import pytest

from core.domain import DomainError
from orders.models import Order, OrderEventKind, OrderStatus
from orders.services import (
    DuplicatePoReference,
    HeaderRequest,
    LineRequest,
    order_cancel,
    order_edit,
    order_place,
)
from tests.concurrency import run_at_once
from tests.factories import BuyerFactory, ProductFactory, place_order


@pytest.mark.django_db(transaction=True)
def test_an_edit_and_a_cancel_from_the_same_page_yield_one_outcome():
    # given an order the buyer has open in two tabs
    buyer = BuyerFactory()
    first, second = ProductFactory(), ProductFactory()
    order = place_order(buyer, (first, 1))

    # when both tabs submit at the same moment
    outcomes = run_at_once(
        lambda: order_edit(
            order_id=order.pk,
            actor=buyer,
            lines=[LineRequest(sku=second.sku, quantity=5)],
            seen_version=1,
        ),
        lambda: order_cancel(order_id=order.pk, actor=buyer, seen_version=1),
    )

    # then exactly one wins and the other is told the order changed
    errors = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(errors) == 1
    assert "changed while you were looking at it" in str(errors[0])
    order.refresh_from_db()
    assert order.version == 2
    kinds = [e.kind for e in order.events.all()]
    assert len(kinds) == 2
    if order.status == OrderStatus.CANCELLED:
        assert kinds[-1] == OrderEventKind.CANCELLED
        assert order.lines.get().product == first
    else:
        assert kinds[-1] == OrderEventKind.EDITED
        assert order.lines.get().product == second


@pytest.mark.django_db(transaction=True)
def test_a_double_clicked_cancel_records_one_cancellation():
    buyer = BuyerFactory()
    order = place_order(buyer, (ProductFactory(), 1))

    outcomes = run_at_once(
        lambda: order_cancel(order_id=order.pk, actor=buyer, seen_version=1),
        lambda: order_cancel(order_id=order.pk, actor=buyer, seen_version=1),
    )

    assert sum(isinstance(o, DomainError) for o in outcomes) == 1
    assert order.events.filter(kind=OrderEventKind.CANCELLED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_orders_placed_at_once_with_one_po_reference_yield_one_order():
    # given two colleagues typing the same PO reference
    buyer = BuyerFactory()
    colleague = BuyerFactory(company=buyer.company)
    product = ProductFactory()

    def place(person):
        return lambda: order_place(
            buyer=person,
            lines=[LineRequest(sku=product.sku, quantity=1)],
            header=HeaderRequest(po_reference="PO-TWICE"),
        )

    # when both place their order at the same moment
    outcomes = run_at_once(place(buyer), place(colleague))

    # then one order has it, and the other buyer is told which
    orders = [o for o in outcomes if isinstance(o, Order)]
    refused = [o for o in outcomes if isinstance(o, DuplicatePoReference)]
    assert len(orders) == 1 and len(refused) == 1, outcomes
    assert refused[0].number == orders[0].number
    assert Order.objects.filter(po_reference="PO-TWICE").count() == 1
