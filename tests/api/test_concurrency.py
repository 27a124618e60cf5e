"""Two retries of one API call at the same moment: one order, and both callers get it."""

import pytest
from django.urls import reverse

from orders.models import Order
from tests.concurrency import run_at_once
from tests.factories import BuyerFactory, ProductFactory

from .conftest import token_client

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_calls_with_one_idempotency_key_at_once_place_one_order():
    # given an ERP that sends the same order twice, at the same moment
    buyer = BuyerFactory()
    product = ProductFactory()
    clients = [token_client(buyer, name=f"ERP {i}") for i in range(2)]

    def place(client):
        return lambda: client.post(
            reverse("api:orders"),
            {"lines": [{"sku": product.sku, "quantity": 2}]},
            format="json",
            headers={"Idempotency-Key": "erp-batch-77"},
        )

    # when both arrive together
    first, second = run_at_once(*(place(client) for client in clients))

    # then one order was placed, and both answers name it
    assert sorted([first.status_code, second.status_code]) == [200, 201]
    assert first.json()["number"] == second.json()["number"]
    assert Order.objects.count() == 1
