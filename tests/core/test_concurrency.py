"""One object per submitted form: the same form posted twice at once makes one.

Each form that creates something carries a one-time key (``core.submissions``);
the two POSTs below carry the same key, as a double click would, and are
released together, each on its own connection.
"""

import threading
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from core.models import Submission
from orders.models import Order
from quotations.models import Quote, QuoteMessage, QuoteRevision
from quotations.services import quote_accept
from tests.factories import BuyerFactory, ProductFactory
from tests.orders.test_views import lines_post
from tests.quotations.factories import DeskStaffFactory, offer, request_quote
from tests.quotations.test_views import lines_post as quote_lines_post
from tests.quotations.test_views import offer_post

pytestmark = pytest.mark.django_db(transaction=True)


def post_twice_at_once(user, url: str, data: dict) -> list:
    """Two browsers of one person post the same form at the same moment."""
    barrier = threading.Barrier(2)
    responses: list = [None, None]

    def send(i):
        client = Client()
        client.force_login(user)
        try:
            barrier.wait()
            responses[i] = client.post(url, data)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


def test_a_double_clicked_order_form_places_one_order():
    buyer, product = BuyerFactory(), ProductFactory()
    key = str(uuid.uuid4())

    responses = post_twice_at_once(
        buyer,
        reverse("orders:create"),
        lines_post((product.sku, "3"), extra={"submission": key, "action": "order"}),
    )

    order = Order.objects.get()
    assert order.lines.get().quantity == 3
    assert [r.status_code for r in responses] == [302, 302]
    assert {r.url for r in responses} == {reverse("orders:detail", args=[order.number])}
    assert Submission.objects.get(key=key).result == order.number


def test_a_double_clicked_quote_request_makes_one_quote():
    buyer, product = BuyerFactory(), ProductFactory()

    responses = post_twice_at_once(
        buyer,
        reverse("quotations:create"),
        quote_lines_post(
            (product.sku, "10"), extra={"submission": str(uuid.uuid4()), "message": "Hi"}
        ),
    )

    quote = Quote.objects.get()
    assert {r.url for r in responses} == {reverse("quotations:detail", args=[quote.number])}


def test_a_double_clicked_offer_is_made_once():
    buyer, desk, product = BuyerFactory(), DeskStaffFactory(), ProductFactory()
    quote = request_quote(buyer, (product, 10))

    data = offer_post(quote, ["9.00"], extra={"offer-submission": str(uuid.uuid4())})
    responses = post_twice_at_once(desk, reverse("quotations:offer", args=[quote.number]), data)

    assert [r.status_code for r in responses] == [302, 302]
    assert QuoteRevision.objects.filter(quote=quote, kind="offered").count() == 1


def test_a_double_clicked_counter_proposal_is_made_once():
    buyer, desk, product = BuyerFactory(), DeskStaffFactory(), ProductFactory()
    quote = offer(request_quote(buyer, (product, 10)), desk, {product: "9.00"})

    data = quote_lines_post(
        (product.sku, "20", "8.50"),
        extra={"version": str(quote.version), "message": "20?", "submission": str(uuid.uuid4())},
    )
    responses = post_twice_at_once(buyer, reverse("quotations:edit", args=[quote.number]), data)

    assert [r.status_code for r in responses] == [302, 302]
    assert QuoteRevision.objects.filter(quote=quote, kind="countered").count() == 1
    assert QuoteMessage.objects.filter(quote=quote, body="20?").count() == 1


def test_a_double_clicked_message_is_posted_once():
    buyer, product = BuyerFactory(), ProductFactory()
    quote = request_quote(buyer, (product, 10))

    responses = post_twice_at_once(
        buyer,
        reverse("quotations:message", args=[quote.number]),
        {"body": "Delivery by May?", "submission": str(uuid.uuid4())},
    )

    assert [r.status_code for r in responses] == [302, 302]
    assert QuoteMessage.objects.filter(quote=quote, body="Delivery by May?").count() == 1


def test_a_double_clicked_place_order_makes_one_order():
    buyer, desk, product = BuyerFactory(), DeskStaffFactory(), ProductFactory()
    quote = offer(request_quote(buyer, (product, 10)), desk, {product: "9.00"})
    quote = quote_accept(quote_id=quote.pk, actor=buyer, seen_version=quote.version)

    responses = post_twice_at_once(
        buyer,
        reverse("quotations:place_order", args=[quote.number]),
        {"version": str(quote.version), "submission": str(uuid.uuid4())},
    )

    order = Order.objects.get()
    assert order.quote_number == quote.number
    assert {r.url for r in responses} == {reverse("orders:detail", args=[order.number])}


def test_a_key_of_another_person_is_refused_and_makes_nothing():
    buyer, stranger, product = BuyerFactory(), BuyerFactory(), ProductFactory()
    key = str(uuid.uuid4())
    data = lines_post((product.sku, "1"), extra={"submission": key})
    first = Client()
    first.force_login(buyer)
    first.post(reverse("orders:create"), data)
    second = Client()
    second.force_login(stranger)

    response = second.post(reverse("orders:create"), data)

    assert response.status_code == 200
    assert Order.objects.count() == 1
    assert not Order.objects.filter(placed_by=stranger).exists()
