"""The order header: PO reference, delivery address and date, cost centre, note."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from core.domain import InvalidInput
from orders.models import Order, OrderEvent
from orders.services import (
    DuplicatePoReference,
    HeaderRequest,
    LineRequest,
    order_cancel,
    order_edit,
    order_place,
)
from tests.factories import (
    BuyerFactory,
    CostCentreFactory,
    DeliveryAddressFactory,
    place_order,
)

pytestmark = pytest.mark.django_db


def _place(buyer, product, **header):
    return order_place(
        buyer=buyer,
        lines=[LineRequest(sku=product.sku, quantity=1)],
        header=HeaderRequest(**header),
    )


def test_the_header_is_kept_on_the_order_with_the_address_text(buyer, products):
    DeliveryAddressFactory(company=buyer.company, is_default=True)
    second = DeliveryAddressFactory(company=buyer.company, label="Depot", address="1 Quay\nPort")
    when = timezone.localdate() + timedelta(days=7)

    order = _place(
        buyer,
        products[0],
        po_reference=" PO-ACME-1 ",
        delivery_address_id=second.pk,
        delivery_date=when,
        cost_centre="Marketing",
        note_to_seller="Ring the bell.",
    )

    order.refresh_from_db()
    assert order.po_reference == "PO-ACME-1"
    assert order.delivery_address_id == second.pk
    assert order.delivery_to == "Depot\n1 Quay\nPort"
    assert order.delivery_date == when
    assert order.cost_centre == "Marketing"
    assert order.note_to_seller == "Ring the bell."
    # the address book may change; the order keeps where it was to go
    second.address = "Elsewhere"
    second.save()
    order.refresh_from_db()
    assert order.delivery_to == "Depot\n1 Quay\nPort"


def test_without_an_address_the_default_is_taken(buyer, products):
    DeliveryAddressFactory(company=buyer.company)
    default = DeliveryAddressFactory(company=buyer.company, is_default=True)

    order = _place(buyer, products[0])

    assert order.delivery_address_id == default.pk


def test_a_company_without_addresses_orders_without_one(buyer, products):
    order = _place(buyer, products[0])

    assert order.delivery_address_id is None and order.delivery_to == ""


def test_a_po_reference_names_one_order_of_the_company(buyer, products):
    first = _place(buyer, products[0], po_reference="PO-7")
    colleague = BuyerFactory(company=buyer.company)

    with pytest.raises(DuplicatePoReference) as refused:
        _place(colleague, products[0], po_reference="PO-7")

    assert refused.value.number == first.number
    assert first.number in str(refused.value)
    assert "po_reference" in refused.value.errors
    assert Order.objects.count() == 1


def test_another_company_may_use_the_same_po_reference(buyer, other_company_buyer, products):
    _place(buyer, products[0], po_reference="PO-7")

    other = _place(other_company_buyer, products[0], po_reference="PO-7")

    assert other.po_reference == "PO-7"


def test_orders_without_a_po_reference_are_many(buyer, products):
    _place(buyer, products[0])
    _place(buyer, products[0], po_reference="   ")

    assert Order.objects.filter(po_reference="").count() == 2


def test_the_database_refuses_a_duplicate_po_reference_too(buyer, products):
    first = _place(buyer, products[0], po_reference="PO-7")
    second = _place(buyer, products[0])

    second.po_reference = first.po_reference
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save(update_fields=["po_reference"])


def test_another_companys_address_is_not_found_and_nothing_is_saved(
    buyer, other_company_buyer, products
):
    theirs = DeliveryAddressFactory(company=other_company_buyer.company)

    with pytest.raises(Http404):
        _place(buyer, products[0], delivery_address_id=theirs.pk)

    assert not Order.objects.exists()


def test_a_delivery_date_in_the_past_is_refused(buyer, products):
    with pytest.raises(InvalidInput) as refused:
        _place(buyer, products[0], delivery_date=timezone.localdate() - timedelta(days=1))

    assert "delivery_date" in refused.value.errors
    assert not Order.objects.exists()


def test_today_is_a_delivery_date_and_three_years_ahead_is_not(buyer, products):
    assert _place(buyer, products[0], delivery_date=timezone.localdate()).delivery_date

    with pytest.raises(InvalidInput):
        _place(buyer, products[0], delivery_date=timezone.localdate() + timedelta(days=1100))


def test_a_company_with_cost_centres_charges_only_those(buyer, products):
    CostCentreFactory(company=buyer.company, code="IT")

    with pytest.raises(InvalidInput) as refused:
        _place(buyer, products[0], cost_centre="Marketing")

    assert "cost_centre" in refused.value.errors
    assert _place(buyer, products[0], cost_centre="IT").cost_centre == "IT"


@pytest.mark.parametrize(
    "header",
    [
        {"po_reference": "x" * 41},
        {"po_reference": "a\x00b"},
        {"po_reference": "two\nlines"},
        {"note_to_seller": "n" * 2001},
        {"cost_centre": "c" * 101},
    ],
)
def test_a_header_out_of_shape_is_refused(buyer, products, header):
    with pytest.raises(InvalidInput):
        _place(buyer, products[0], **header)

    assert not Order.objects.exists()


def test_an_edit_records_what_changed_in_the_header(buyer, products):
    DeliveryAddressFactory(company=buyer.company, is_default=True, label="Main", address="A")
    depot = DeliveryAddressFactory(company=buyer.company, label="Depot", address="B")
    order = _place(buyer, products[0], po_reference="PO-1")

    order_edit(
        order_id=order.pk,
        actor=buyer,
        lines=[LineRequest(sku=products[0].sku, quantity=2)],
        seen_version=order.version,
        header=HeaderRequest(po_reference="PO-2", delivery_address_id=depot.pk),
    )

    order.refresh_from_db()
    assert (order.po_reference, order.delivery_to) == ("PO-2", "Depot\nB")
    edited = OrderEvent.objects.filter(order=order).last()
    assert "PO reference: PO-1 → PO-2" in edited.comment
    assert "Deliver to: Main A → Depot B" in edited.comment


def test_an_edit_keeps_its_own_po_reference_and_refuses_a_colleagues(buyer, products):
    other = _place(buyer, products[0], po_reference="PO-1")
    order = _place(buyer, products[0], po_reference="PO-2")
    lines = [LineRequest(sku=products[0].sku, quantity=3)]

    order_edit(
        order_id=order.pk,
        actor=buyer,
        lines=lines,
        seen_version=order.version,
        header=HeaderRequest(po_reference="PO-2"),
    )
    order.refresh_from_db()
    with pytest.raises(DuplicatePoReference) as refused:
        order_edit(
            order_id=order.pk,
            actor=buyer,
            lines=lines,
            seen_version=order.version,
            header=HeaderRequest(po_reference="PO-1"),
        )

    assert refused.value.number == other.number
    order.refresh_from_db()
    assert order.po_reference == "PO-2"


def test_a_cancelled_order_keeps_its_po_reference(buyer, products):
    order = _place(buyer, products[0], po_reference="PO-1")
    order_cancel(order_id=order.pk, actor=buyer, seen_version=order.version)

    with pytest.raises(DuplicatePoReference):
        _place(buyer, products[0], po_reference="PO-1")


def test_an_order_placed_without_a_header_has_none(buyer, products):
    order = place_order(buyer, (products[0], 1))

    assert not order.has_header
