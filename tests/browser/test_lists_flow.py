"""Ordering the way purchasing departments work: a list pasted from a spreadsheet, a
requisition list ordered, an order found again by what was in it."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from orders.models import Order
from tests.factories import BuyerFactory, ProductFactory
from tests.requisitions.factories import make_list

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_buyer_pastes_twelve_lines_fixes_the_bad_one_places_and_finds_the_order(
    page, live_server, login
):
    buyer = BuyerFactory()
    products = [
        ProductFactory(sku=f"SUP-{n:03d}", name=f"Supply item {n}", unit_price=Decimal("1.00"))
        for n in range(12)
    ]
    ProductFactory(sku="LAM-777", name="Laminating pouches A4", unit_price=Decimal("5.00"))
    login(buyer)
    page.goto(f"{live_server.url}/orders/new/")

    # given twelve lines copied from a spreadsheet, the fifth with a typo in its SKU
    rows = [f"{p.sku}\t{n + 1}" for n, p in enumerate(products[:11])]
    rows.insert(4, "LAM-77\t3")
    page.get_by_text("Paste lines or upload a CSV file").click()
    page.get_by_label("Paste lines").fill("SKU\tQty\n" + "\n".join(rows))
    page.get_by_role("button", name="Add these lines").click()

    # then eleven become rows, and the bad one is named by its line and left to fix
    expect(page.locator("#paste-problems")).to_contain_text(
        "Line 6: No product has the SKU LAM-77."
    )
    expect(page.get_by_label("Paste lines")).to_have_value("LAM-77\t3")
    expect(page.locator("#order-total-preview")).to_have_text("$66.00")

    # when the buyer fixes it and adds it, then places the order
    page.get_by_label("Paste lines").fill("LAM-777\t3")
    page.get_by_role("button", name="Add these lines").click()
    expect(page.locator("#order-total-preview")).to_have_text("$81.00")
    expect(page.locator("#paste-problems")).to_have_count(0)
    page.get_by_role("button", name="Place order").click()

    order = Order.objects.get()
    assert order.lines.count() == 12
    expect(page).to_have_url(re.compile(rf"/orders/{order.number}/$"))

    # and finds it later by the name of a product in it
    page.goto(f"{live_server.url}/orders/")
    page.get_by_label("Search orders").fill("laminating")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#order-list tbody a", has_text=order.number)).to_be_visible()
    expect(page.locator("#order-list tbody tr")).to_have_count(1)


def test_a_buyer_orders_a_requisition_list(page, live_server, login):
    buyer = BuyerFactory()
    paper = ProductFactory(sku="PAP-4001", name="Copy paper", unit_price=Decimal("24.90"))
    pens = ProductFactory(sku="PEN-4005", name="Ballpoint pens", unit_price=Decimal("12.50"))
    old = ProductFactory(sku="OLD-0001", name="Fax rolls", unit_price=Decimal("3.00"))
    make_list(buyer, (paper, 10), (pens, 2), (old, 5), name="Monthly office supplies", shared=True)
    old.is_active = False
    old.save()
    login(buyer)

    page.goto(f"{live_server.url}/lists/")
    page.get_by_role("link", name="Monthly office supplies", exact=True).click()
    page.get_by_role("button", name="Order", exact=True).click()

    expect(page).to_have_url(re.compile(r"/orders/new/\?"))
    expect(page.get_by_text("No longer sold, so left out: OLD-0001.")).to_be_visible()
    expect(page.locator("#order-total-preview")).to_have_text("$274.00")
    page.get_by_role("button", name="Place order").click()

    order = Order.objects.get()
    assert order.total == Decimal("274.00")
    expect(page).to_have_url(re.compile(rf"/orders/{order.number}/$"))


def test_typing_part_of_a_name_in_a_sku_field_suggests_products(page, live_server, login):
    ProductFactory(sku="CHR-1001", name="Ergonomic office chair")
    ProductFactory(sku="STL-2001", name="Chair-height stool")
    ProductFactory(sku="PAP-4001", name="Copy paper")
    login(BuyerFactory())
    page.goto(f"{live_server.url}/orders/new/")

    page.get_by_label("SKU 1", exact=True).press_sequentially("chai", delay=40)

    # the field's own datalist: the browser offers them with the arrow keys
    options = page.locator("#sku-suggestions option")
    expect(options).to_have_count(2)
    expect(options.first).to_have_attribute("value", "CHR-1001")
    assert page.get_by_label("SKU 1", exact=True).get_attribute("list") == "sku-suggestions"
