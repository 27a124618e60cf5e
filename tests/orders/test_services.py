from decimal import Decimal

import pytest

from core.domain import InvalidInput, InvalidState, NotAllowed, StaleVersion
from core.transitions import successors
from orders.models import EDITABLE_STATUSES, ORDER_MOVES, Order, OrderEventKind, OrderStatus
from orders.services import LineRequest, order_cancel, order_edit, order_fulfil, order_place
from tests.factories import BuyerFactory, ProductFactory, place_order

pytestmark = pytest.mark.django_db


def test_placing_prices_lines_from_the_catalog_in_decimal(buyer, products):
    chair, desk, lamp = products

    order = place_order(buyer, (chair, 3), (desk, 2), (lamp, 1))

    order.refresh_from_db()
    assert order.total == Decimal("181.00")  # 3*10.00 + 2*25.50 + 1*100.00
    assert [(line.quantity, line.unit_price, line.line_total) for line in order.lines.all()] == [
        (3, Decimal("10.00"), Decimal("30.00")),
        (2, Decimal("25.50"), Decimal("51.00")),
        (1, Decimal("100.00"), Decimal("100.00")),
    ]
    assert order.number == f"PO-{order.pk:06d}"
    assert order.status == OrderStatus.APPROVED
    assert order.company == buyer.company
    assert [e.kind for e in order.events.all()] == [OrderEventKind.PLACED]


def test_cents_add_up_without_float_error(buyer):
    product = ProductFactory(unit_price=Decimal("0.10"))

    order = place_order(buyer, (product, 3))

    assert order.total == Decimal("0.30")


def test_the_same_product_twice_becomes_one_line(buyer, products):
    order = order_place(
        buyer=buyer,
        lines=[
            LineRequest(sku=products[0].sku, quantity=2),
            LineRequest(sku=products[0].sku.lower(), quantity=5),
        ],
    )

    assert [(line.product_id, line.quantity) for line in order.lines.all()] == [(products[0].pk, 7)]
    assert order.total == Decimal("70.00")


@pytest.mark.parametrize("quantity", [0, -1, 100_001])
def test_a_quantity_out_of_range_places_nothing(buyer, products, quantity):
    with pytest.raises(InvalidInput):
        order_place(buyer=buyer, lines=[LineRequest(sku=products[0].sku, quantity=quantity)])

    assert not Order.objects.exists()


def test_an_inactive_or_unknown_sku_places_nothing(buyer, products):
    retired = ProductFactory(is_active=False)

    with pytest.raises(InvalidInput) as exc:
        order_place(
            buyer=buyer,
            lines=[
                LineRequest(sku=products[0].sku, quantity=1),
                LineRequest(sku=retired.sku, quantity=1),
                LineRequest(sku="NOPE-1", quantity=1),
            ],
        )

    assert set(exc.value.errors) == {retired.sku, "NOPE-1"}
    assert not Order.objects.exists()


def test_an_empty_order_is_refused(buyer):
    with pytest.raises(InvalidInput):
        order_place(buyer=buyer, lines=[])
    assert not Order.objects.exists()


def test_contacts_of_an_inactive_company_cannot_order(buyer, products):
    buyer.company.is_active = False
    buyer.company.save()

    with pytest.raises(NotAllowed):
        place_order(buyer, (products[0], 1))
    assert not Order.objects.exists()


def test_site_admins_do_not_place_orders(staff, products):
    with pytest.raises(NotAllowed):
        place_order(staff, (products[0], 1))


def test_editing_replaces_lines_at_catalog_prices_and_bumps_the_version(buyer, products):
    order = place_order(buyer, (products[0], 1))

    edited = order_edit(
        order_id=order.pk,
        actor=buyer,
        lines=[
            LineRequest(sku=products[1].sku, quantity=4),
            LineRequest(sku=products[2].sku, quantity=2),
        ],
        seen_version=order.version,
    )

    edited.refresh_from_db()
    assert edited.total == Decimal("302.00")
    assert edited.version == order.version + 1
    assert sorted(line.product_id for line in edited.lines.all()) == [
        products[1].pk,
        products[2].pk,
    ]
    assert edited.events.last().kind == OrderEventKind.EDITED


def test_editing_with_a_stale_version_changes_nothing(buyer, products):
    order = place_order(buyer, (products[0], 1))

    with pytest.raises(StaleVersion):
        order_edit(
            order_id=order.pk,
            actor=buyer,
            lines=[LineRequest(sku=products[1].sku, quantity=9)],
            seen_version=order.version - 1,
        )

    order.refresh_from_db()
    assert order.total == Decimal("10.00")
    assert order.lines.get().product == products[0]


def test_a_colleague_cannot_edit_or_cancel_my_order(buyer, products):
    order = place_order(buyer, (products[0], 1))
    colleague = BuyerFactory(company=buyer.company)

    with pytest.raises(NotAllowed):
        order_edit(
            order_id=order.pk,
            actor=colleague,
            lines=[LineRequest(sku=products[1].sku, quantity=1)],
            seen_version=1,
        )
    with pytest.raises(NotAllowed):
        order_cancel(order_id=order.pk, actor=colleague, seen_version=1)

    order.refresh_from_db()
    assert (order.status, order.total, order.version) == (OrderStatus.APPROVED, Decimal("10.00"), 1)


def test_cancelling_keeps_the_order_with_its_history(buyer, products):
    order = place_order(buyer, (products[0], 2))

    order_cancel(
        order_id=order.pk, actor=buyer, seen_version=order.version, comment="Ordered twice"
    )

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order.total == Decimal("20.00")
    cancel = order.events.last()
    assert (cancel.kind, cancel.actor, cancel.from_status, cancel.to_status, cancel.comment) == (
        OrderEventKind.CANCELLED,
        buyer,
        OrderStatus.APPROVED,
        OrderStatus.CANCELLED,
        "Ordered twice",
    )


def test_a_cancelled_order_can_be_neither_edited_nor_cancelled_again(buyer, products):
    order = place_order(buyer, (products[0], 2))
    order = order_cancel(order_id=order.pk, actor=buyer, seen_version=order.version)

    with pytest.raises(InvalidState):
        order_edit(
            order_id=order.pk,
            actor=buyer,
            lines=[LineRequest(sku=products[1].sku, quantity=1)],
            seen_version=order.version,
        )
    with pytest.raises(InvalidState):
        order_cancel(order_id=order.pk, actor=buyer, seen_version=order.version)

    order.refresh_from_db()
    assert order.events.count() == 2
    assert order.lines.get().product == products[0]


def test_only_site_admins_mark_approved_orders_fulfilled(buyer, staff, products):
    order = place_order(buyer, (products[0], 2))

    with pytest.raises(NotAllowed):
        order_fulfil(order_id=order.pk, actor=buyer)
    order = order_fulfil(order_id=order.pk, actor=staff)

    assert order.status == OrderStatus.FULFILLED
    with pytest.raises(InvalidState):
        order_fulfil(order_id=order.pk, actor=staff)


def test_the_moves_table_covers_every_status_and_ends_in_final_states():
    moves = successors(ORDER_MOVES, OrderStatus.values)
    final = {s for s, targets in moves.items() if not targets}
    assert final == {OrderStatus.REJECTED, OrderStatus.CANCELLED, OrderStatus.FULFILLED}
    for status in EDITABLE_STATUSES:
        # an edit routes again, so either routing outcome must be reachable
        assert {OrderStatus.PENDING_APPROVAL, OrderStatus.APPROVED} <= moves[status]
        assert OrderStatus.CANCELLED in moves[status]
    for targets in moves.values():
        assert targets <= set(OrderStatus.values)


@pytest.mark.postgres
def test_the_number_is_drawn_with_the_id_in_one_write_past_a_million(buyer, products):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = place_order(buyer, (products[0], 1))
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('orders_order', 'id'), 999999)")
    with CaptureQueriesContext(connection) as ctx:
        millionth = place_order(buyer, (products[0], 1))
    after = place_order(buyer, (products[0], 1))

    assert first.number == f"PO-{first.pk:06d}"
    assert (millionth.pk, millionth.number) == (1_000_000, "PO-1000000")
    assert after.number == "PO-1000001"
    assert Order.objects.get(pk=after.pk).number == "PO-1000001"
    writes = [q["sql"] for q in ctx.captured_queries if 'orders_order"' in q["sql"].split("(")[0]]
    assert not [sql for sql in writes if sql.startswith("UPDATE")]  # no second write for it
