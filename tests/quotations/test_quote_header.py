"""A quote's header: asked for with the quote, carried into the order placed from it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from approvals.models import ApprovalStep
from core.domain import InvalidInput
from orders.models import Order
from orders.services import DuplicatePoReference, HeaderRequest
from quotations.models import Quote, QuoteEvent, QuoteStatus
from quotations.services import (
    QuoteLineRequest,
    quote_accept,
    quote_edit,
    quote_place_order,
    quote_request,
)
from tests.approvals.factories import source_example
from tests.factories import DeliveryAddressFactory, ProductFactory, place_order
from tests.quotations.factories import offer

pytestmark = pytest.mark.django_db


def _ask(buyer, product, quantity=10, **header):
    return quote_request(
        buyer=buyer,
        lines=[QuoteLineRequest(sku=product.sku, quantity=quantity)],
        message="Please quote.",
        header=HeaderRequest(**header),
    )


def _accepted(quote, desk, product, price="7.50"):
    quote = offer(quote, desk, {product: price})
    return quote_accept(quote_id=quote.pk, actor=quote.requested_by, seen_version=quote.version)


def test_the_order_placed_from_a_quote_carries_its_header(buyer, desk):
    product = ProductFactory(unit_price=Decimal("10.00"))
    DeliveryAddressFactory(company=buyer.company, is_default=True)
    depot = DeliveryAddressFactory(company=buyer.company, label="Depot", address="1 Quay")
    when = timezone.localdate() + timedelta(days=20)
    quote = _ask(
        buyer,
        product,
        po_reference="Q-PO-1",
        delivery_address_id=depot.pk,
        delivery_date=when,
        cost_centre="Ops",
        note_to_seller="Pallets, please.",
    )
    quote = _accepted(quote, desk, product)

    order = quote_place_order(quote_id=quote.pk, actor=buyer, seen_version=quote.version).order

    order.refresh_from_db()
    assert (order.po_reference, order.delivery_address_id, order.delivery_to) == (
        "Q-PO-1",
        depot.pk,
        "Depot\n1 Quay",
    )
    assert (order.delivery_date, order.cost_centre, order.note_to_seller) == (
        when,
        "Ops",
        "Pallets, please.",
    )


def test_a_quote_is_refused_another_companys_address(buyer, other_company_buyer):
    theirs = DeliveryAddressFactory(company=other_company_buyer.company)

    with pytest.raises(Http404):
        _ask(buyer, ProductFactory(), delivery_address_id=theirs.pk)

    assert not Quote.objects.exists()


def test_a_quote_is_refused_a_past_delivery_date(buyer):
    with pytest.raises(InvalidInput):
        _ask(buyer, ProductFactory(), delivery_date=timezone.localdate() - timedelta(days=1))

    assert not Quote.objects.exists()


def test_a_po_reference_an_order_took_since_is_refused_when_ordering(buyer, desk):
    product = ProductFactory(unit_price=Decimal("10.00"))
    quote = _accepted(_ask(buyer, product, po_reference="PO-5"), desk, product)
    taken = place_order(buyer, (product, 1))
    Order.objects.filter(pk=taken.pk).update(po_reference="PO-5")

    with pytest.raises(DuplicatePoReference) as refused:
        quote_place_order(quote_id=quote.pk, actor=buyer, seen_version=quote.version)

    assert refused.value.number == taken.number
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.ACCEPTED and quote.order_id is None


def test_the_quote_page_shows_the_header_and_a_refused_po_reference_links_its_order(
    client, buyer, desk
):
    product = ProductFactory(unit_price=Decimal("10.00"))
    quote = _accepted(_ask(buyer, product, po_reference="PO-5"), desk, product)
    taken = place_order(buyer, (product, 1))
    Order.objects.filter(pk=taken.pk).update(po_reference="PO-5")
    client.force_login(buyer)

    page = client.get(reverse("quotations:detail", args=[quote.number])).content.decode()
    assert 'id="order-header-details"' in page and "PO-5" in page
    response = client.post(
        reverse("quotations:place_order", args=[quote.number]),
        {"version": quote.version, "submission": "4b0c2f1e-4a55-4bb8-9d59-0b6a1c6f2a11"},
    )

    html = response.content.decode()
    assert f"already on order {taken.number}" in html
    assert f'href="{reverse("orders:detail", args=[taken.number])}"' in html


def test_the_quote_form_takes_the_header(client, buyer):
    product = ProductFactory()
    default = DeliveryAddressFactory(company=buyer.company, is_default=True)
    client.force_login(buyer)
    assert (
        f'<option value="{default.pk}" selected>'
        in client.get(reverse("quotations:create")).content.decode()
    )

    client.post(
        reverse("quotations:create"),
        {
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-sku": product.sku,
            "lines-0-quantity": "4",
            "message": "Price?",
            "header-po_reference": "RFQ-1",
            "header-delivery_address": str(default.pk),
        },
    )

    quote = Quote.objects.get()
    assert (quote.po_reference, quote.delivery_address_id) == ("RFQ-1", default.pk)


@pytest.mark.parametrize("amount", ["1500.00", "2000.00", "2500.00", "3500.00", "6000.00"])
def test_an_accepted_quote_says_who_will_approve_its_order_and_so_it_goes(client, desk, amount):
    example = source_example()
    quote = quote_request(
        buyer=example.buyer,
        lines=[QuoteLineRequest(sku=example.unit.sku, quantity=int(Decimal(amount)))],
        message="Price?",
    )
    quote = _accepted(quote, desk, example.unit, price="1.00")
    client.force_login(example.buyer)

    page = client.get(reverse("quotations:detail", args=[quote.number])).content.decode()
    order = quote_place_order(
        quote_id=quote.pk, actor=example.buyer, seen_version=quote.version
    ).order

    assert 'id="approval-preview"' in page
    deciders = {
        a.full_name for s in ApprovalStep.objects.filter(order=order) for a in s.approvers.all()
    }
    shown = {a.full_name for a in example.approvers if a.full_name in page}
    assert shown == deciders
    assert ("No approval needed." in page) == (not deciders)


def test_changing_a_quote_changes_its_header_and_says_what_changed(buyer, other_company_buyer):
    product = ProductFactory()
    quote = _ask(buyer, product, po_reference="RFQ-1")
    theirs = DeliveryAddressFactory(company=other_company_buyer.company)
    lines = [QuoteLineRequest(sku=product.sku, quantity=12)]

    with pytest.raises(Http404):
        quote_edit(
            quote_id=quote.pk,
            actor=buyer,
            lines=lines,
            seen_version=quote.version,
            header=HeaderRequest(delivery_address_id=theirs.pk),
        )
    quote = quote_edit(
        quote_id=quote.pk,
        actor=buyer,
        lines=lines,
        seen_version=quote.version,
        header=HeaderRequest(po_reference="RFQ-2", cost_centre="Ops"),
    )

    quote.refresh_from_db()
    assert (quote.po_reference, quote.cost_centre, quote.delivery_address_id) == (
        "RFQ-2",
        "Ops",
        None,
    )
    edited = QuoteEvent.objects.filter(quote=quote).last()
    assert "PO reference: RFQ-1 → RFQ-2" in edited.comment


def test_the_quote_edit_page_shows_the_header_as_it_is(client, buyer):
    product = ProductFactory()
    quote = _ask(buyer, product, po_reference="RFQ-7")
    client.force_login(buyer)

    html = client.get(reverse("quotations:edit", args=[quote.number])).content.decode()

    assert 'value="RFQ-7"' in html
