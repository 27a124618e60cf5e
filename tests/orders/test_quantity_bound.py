"""The quantity bound (1 to 100,000 per line) has one home and one wording: every way a
quantity comes in — an order, a quote, a list (its service and its forms), a paste,
the order form's preview — refuses the same quantities with the same words, and
changes nothing."""

import pytest
from django.urls import reverse

from core.domain import InvalidInput
from orders.models import Order
from orders.selectors import order_line_previews
from orders.services import LineRequest, order_place
from orders.services.paste import paste_read
from quotations.models import Quote
from quotations.services import QuoteLineRequest, quote_request
from requisitions.models import RequisitionLine
from requisitions.services import requisition_lines_add, requisition_lines_change
from tests.factories import ProductFactory
from tests.requisitions.factories import make_list

pytestmark = pytest.mark.django_db

OUT_OF_RANGE = "Quantity must be a whole number from 1 to 100,000."
TOO_MANY_IN_ALL = "{sku}: at most 100,000 in all."


def _refusal(call) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        call()
    return caught.value


def _all_messages(exc: InvalidInput) -> list[str]:
    return [message for messages in exc.errors.values() for message in messages]


@pytest.mark.parametrize("quantity", [0, -3, 100_001])
def test_every_service_refuses_a_quantity_out_of_range_in_the_same_words(buyer, quantity):
    product = ProductFactory()
    requisition = make_list(buyer, (product, 2))
    line = requisition.lines.get()

    refusals = [
        _refusal(lambda: order_place(buyer=buyer, lines=[LineRequest(product.sku, quantity)])),
        _refusal(
            lambda: quote_request(buyer=buyer, lines=[QuoteLineRequest(product.sku, quantity)])
        ),
        _refusal(
            lambda: requisition_lines_add(
                list_id=requisition.pk, actor=buyer, lines=[LineRequest(product.sku, quantity)]
            )
        ),
        _refusal(
            lambda: requisition_lines_change(
                list_id=requisition.pk,
                actor=buyer,
                quantities={line.pk: quantity},
                remove=set(),
                seen_version=requisition.version,
            )
        ),
    ]

    assert [_all_messages(exc) for exc in refusals] == [[OUT_OF_RANGE]] * 4
    assert not Order.objects.exists() and not Quote.objects.exists()
    assert list(RequisitionLine.objects.values_list("quantity", flat=True)) == [2]


def test_the_paste_and_the_preview_say_the_same_words(buyer):
    product = ProductFactory()

    pasted = paste_read(company_id=buyer.company_id, text=f"{product.sku};0")
    previews, total = order_line_previews(
        company_id=buyer.company_id, rows=[(product.sku, "100001")]
    )

    assert [p.message for p in pasted.problems] == [OUT_OF_RANGE]
    assert previews[0].error == OUT_OF_RANGE and total == 0


def test_quantities_added_up_beyond_the_bound_are_refused_in_the_same_words(buyer):
    product = ProductFactory()
    requisition = make_list(buyer, (product, 60_000))
    too_many = TOO_MANY_IN_ALL.format(sku=product.sku)

    twice = [LineRequest(product.sku, 60_000), LineRequest(product.sku, 50_000)]
    refusals = [
        _refusal(lambda: order_place(buyer=buyer, lines=twice)),
        _refusal(
            lambda: requisition_lines_add(
                list_id=requisition.pk, actor=buyer, lines=[LineRequest(product.sku, 50_000)]
            )
        ),
    ]
    pasted = paste_read(
        company_id=buyer.company_id, text=f"{product.sku};60000\n{product.sku};50000"
    )

    assert [_all_messages(exc) for exc in refusals] == [[too_many]] * 2
    assert [p.message for p in pasted.problems] == [too_many, too_many]
    assert not pasted.rows
    assert not Order.objects.exists()
    assert list(RequisitionLine.objects.values_list("quantity", flat=True)) == [60_000]


@pytest.mark.parametrize("typed", ["0", "100001", "lots", "1.5"])
def test_the_list_forms_refuse_in_the_services_words_and_save_nothing(client, buyer, typed):
    product = ProductFactory()
    requisition = make_list(buyer, (product, 2))
    line = requisition.lines.get()
    client.force_login(buyer)

    saved = client.post(
        reverse("requisitions:lines", args=[requisition.pk]),
        {"version": requisition.version, f"qty-{line.pk}": typed},
        follow=True,
    )
    added = client.get(reverse("requisitions:add"), {"sku": product.sku, "quantity": typed})

    assert OUT_OF_RANGE in saved.content.decode()
    assert "Ensure this value" not in saved.content.decode()
    assert OUT_OF_RANGE in added.content.decode() or OUT_OF_RANGE in _followed(client, added)
    assert list(RequisitionLine.objects.values_list("quantity", flat=True)) == [2]


def _followed(client, response) -> str:
    return client.get(response.url).content.decode() if response.status_code == 302 else ""
