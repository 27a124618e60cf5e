"""Crafted requests found by trying the portal as an attacker would: each gets a clear
answer, never a 500, and changes nothing. (The property-based tests in
``tests/test_hostile_input.py`` feed every form and query string the same way.)"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.models import Order
from quotations.models import QuoteRevision
from tests.factories import place_order
from tests.orders.test_views import lines_post
from tests.quotations.factories import offer, request_quote

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query",
    [
        {"again": "\x00"},
        {"again": "PO-000001\x00"},
        {"sku": "\x00"},
        {"sku": "CHR-1001\x00\x01"},
    ],
)
def test_a_nul_byte_in_the_order_form_query_string_is_no_error(client, buyer, products, query):
    client.force_login(buyer)

    response = client.get(reverse("orders:create"), query)

    assert response.status_code in (200, 404)


def test_a_nul_byte_in_the_line_preview_is_a_clear_row_error(client, buyer):
    client.force_login(buyer)

    response = client.get(
        reverse("orders:line_preview"),
        {"row": "0", "lines-TOTAL_FORMS": "1", "lines-0-sku": "\x00", "lines-0-quantity": "1"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert "No product has the SKU" in response.content.decode()


def test_a_posted_sku_ending_in_a_nul_byte_is_refused_on_its_row(client, buyer, products):
    client.force_login(buyer)

    response = client.post(reverse("orders:create"), lines_post((products[0].sku + "\x00", "1")))

    assert response.status_code == 200
    assert "Null characters are not allowed" in response.content.decode()
    assert not Order.objects.exists()


def test_an_offer_whose_rows_claim_to_be_new_is_refused_plainly(client, buyer, desk, products):
    # INITIAL_FORMS=0 makes every row an "extra" one; rows left as they were are skipped
    quote = request_quote(buyer, (products[0], 10))
    line = quote.lines.get()
    client.force_login(desk)

    response = client.post(
        reverse("quotations:offer", args=[quote.number]),
        {
            "offer-version": str(quote.version),
            "offer-expires_on": (timezone.localdate() + timedelta(days=5)).isoformat(),
            "offer-lines-TOTAL_FORMS": "1",
            "offer-lines-INITIAL_FORMS": "0",
            "offer-lines-0-line_id": "",
            "offer-lines-0-unit_price": str(line.product.unit_price),
        },
    )

    assert response.status_code == 200
    assert "out of date or incomplete" in response.content.decode()
    assert not QuoteRevision.objects.filter(quote=quote, kind="offered").exists()


@pytest.mark.parametrize("version", [None, "", "abc", "-1"])
def test_a_missing_or_tampered_version_says_the_page_is_out_of_date(
    client, buyer, desk, products, version
):
    quote = offer(request_quote(buyer, (products[0], 10)), desk, {products[0]: "9.00"})
    order = place_order(buyer, (products[0], 1))
    client.force_login(buyer)
    extra = {} if version is None else {"version": version}

    edit = client.post(
        reverse("orders:edit", args=[order.number]), lines_post((products[1].sku, "2"), extra=extra)
    )
    counter = client.post(
        reverse("quotations:edit", args=[quote.number]),
        {**lines_post((products[0].sku, "5")), **extra, "message": "5?"},
    )

    for response in (edit, counter):
        assert response.status_code == 200
        assert "out of date or incomplete" in response.content.decode()
    order.refresh_from_db()
    assert order.version == 1 and order.lines.get().product == products[0]


def test_a_too_long_cancel_comment_says_so(client, buyer, products):
    order = place_order(buyer, (products[0], 1))
    client.force_login(buyer)

    response = client.post(
        reverse("orders:cancel", args=[order.number]),
        {"version": "1", "comment": "x" * 20_000},
        follow=True,
    )

    assert "at most 2000 characters" in response.content.decode()
    order.refresh_from_db()
    assert order.status != "cancelled"
