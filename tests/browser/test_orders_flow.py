import re

import pytest
from playwright.sync_api import expect

from orders.models import Order
from tests.factories import BuyerFactory, ProductFactory, place_order

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_buyer_places_an_order_by_sku_and_sees_it(page, live_server, login):
    buyer = BuyerFactory()
    ProductFactory(sku="CHR-1001", name="Ergonomic office chair", unit_price="350.00")
    ProductFactory(sku="PAP-4001", name="Copy paper", unit_price="24.90")
    login(buyer)

    page.goto(f"{live_server.url}/orders/new/")
    page.get_by_label("SKU 1", exact=True).fill("chr-1001")
    page.get_by_label("Quantity 1", exact=True).fill("2")
    page.get_by_label("SKU 2", exact=True).fill("PAP-4001")
    page.get_by_label("Quantity 2", exact=True).fill("10")
    page.get_by_role("button", name="Place order").click()

    order = Order.objects.get()
    expect(page).to_have_url(re.compile(rf"/orders/{order.number}/$"))
    expect(page.locator("#order-total")).to_have_text("$949.00")
    expect(page.get_by_text("Ergonomic office chair")).to_be_visible()


def test_a_buyer_of_another_company_gets_404_on_an_order_url(page, live_server, login):
    owner = BuyerFactory()
    product = ProductFactory()
    order = place_order(owner, (product, 1))
    login(BuyerFactory())

    response = page.goto(f"{live_server.url}/orders/{order.number}/")

    assert response.status == 404


def test_the_live_preview_fills_the_product_and_line_total_cells(page, live_server, login):
    buyer = BuyerFactory()
    ProductFactory(sku="CHR-1001", name="Ergonomic office chair", unit_price="350.00")
    login(buyer)
    page.goto(f"{live_server.url}/orders/new/")

    page.get_by_label("SKU 1", exact=True).fill("chr-1001")
    page.get_by_label("Quantity 1", exact=True).fill("2")
    page.get_by_label("Quantity 1", exact=True).press("Tab")

    expect(page.locator("#line-total-0")).to_have_text("$700.00")
    expect(page.locator("#line-product-0")).to_contain_text("$350.00 each")
    expect(page.locator("#line-product-0")).not_to_contain_text("$700.00")
    expect(page.locator("#order-total-preview")).to_have_text("$700.00")
    # a wrong SKU: one message, in the product cell
    page.get_by_label("SKU 2", exact=True).fill("NOPE-1")
    page.get_by_label("SKU 2", exact=True).press("Tab")
    expect(page.locator("#line-product-1")).to_contain_text("NOPE-1")
    expect(page.locator("#order-lines .text-danger")).to_have_count(1)
