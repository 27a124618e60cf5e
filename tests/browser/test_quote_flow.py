"""The whole negotiation in a browser: request, offer, counter, offer, accept, order."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from approvals.models import StepApprover
from companies.demo import DEMO_PASSWORD
from orders.models import OrderStatus
from quotations.models import Quote, QuoteStatus
from tests.factories import BuyerFactory, ProductFactory

pytestmark = pytest.mark.django_db(transaction=True)


def fill_offer(page, prices: list[str], message: str):
    for i, price in enumerate(prices, start=1):
        page.get_by_label(f"Offered unit price {i}", exact=True).fill(price)
    page.locator("form", has=page.get_by_role("button", name="Send the offer")).get_by_label(
        "Message (optional)"
    ).fill(message)
    page.get_by_role("button", name="Send the offer").click()
    expect(page.get_by_text(message).first).to_be_visible()


def test_a_quote_negotiated_over_two_offers_becomes_an_order_routed_by_its_total(
    page, live_server, login, demo
):
    buyer, admin = demo["buyer1@acme.example"], demo["admin@portal.example"]

    # the buyer asks for three products
    login(buyer, DEMO_PASSWORD)
    page.get_by_role("link", name="Quotes", exact=True).first.click()
    page.get_by_role("link", name="Request a quote").first.click()
    for i, (sku, qty) in enumerate(
        [("CHR-1001", "10"), ("DSK-2001", "4"), ("MON-3002", "8")], start=1
    ):
        page.get_by_label(f"SKU {i}", exact=True).fill(sku)
        page.get_by_label(f"Quantity {i}", exact=True).fill(qty)
    page.get_by_label("Message to the seller").fill("Fitting out a new office, delivery in May.")
    page.get_by_role("button", name="Request the quote").click()
    quote = Quote.objects.filter(requested_by=buyer).latest("created_at")
    expect(page).to_have_url(re.compile(rf"/quotes/{quote.number}/$"))

    # the site admin offers prices with a message
    login(admin, DEMO_PASSWORD)
    page.get_by_role("link", name="Quote desk").first.click()
    page.get_by_role("link", name=quote.number).first.click()
    fill_offer(page, ["320.00", "590.00", "270.00"], "Volume prices, valid two weeks.")

    # the buyer counters: more chairs
    login(buyer, DEMO_PASSWORD)
    page.get_by_role("link", name="Quotes", exact=True).first.click()
    page.get_by_role("link", name=quote.number).first.click()
    page.get_by_role("link", name="Counter-propose").click()
    page.get_by_label("Quantity 1", exact=True).fill("12")
    page.get_by_label("Target unit price 1", exact=True).fill("300.00")
    page.get_by_role("button", name="Send changes").click()
    expect(page.get_by_text("Requested").first).to_be_visible()

    # the site admin offers again
    login(admin, DEMO_PASSWORD)
    page.get_by_role("link", name="Quote desk").first.click()
    page.get_by_role("link", name=quote.number).first.click()
    fill_offer(page, ["305.00", "590.00", "270.00"], "Twelve chairs at 305, final.")

    # the buyer accepts and places the order in one click
    login(buyer, DEMO_PASSWORD)
    page.get_by_role("link", name="Quotes", exact=True).first.click()
    page.get_by_role("link", name=quote.number).first.click()
    page.get_by_role("button", name="Accept the offer").click()
    page.get_by_role("button", name="Place the order at these prices").click()

    quote.refresh_from_db()
    assert quote.status == QuoteStatus.ORDERED
    order = quote.order
    # 12 × 305 + 4 × 590 + 8 × 270 = 3,660 + 2,360 + 2,160
    assert order.total == Decimal("8180.00")
    expect(page).to_have_url(re.compile(rf"/orders/{order.number}/$"))
    expect(page.locator("#order-total")).to_have_text("$8,180.00")
    # above $5,000: it waits for approver 3, like any order of that size (and for
    # approver 2 on her behalf: the demo has her away this week)
    assert order.status == OrderStatus.PENDING_APPROVAL
    step = order.approval_steps.get(status="open")
    own = StepApprover.objects.filter(step=step, on_behalf_of=None)
    assert [link.approver for link in own] == [demo["approver3@acme.example"]]


def test_typing_in_a_sku_field_of_the_quote_form_suggests_products(page, live_server, login):
    ProductFactory(sku="CHR-1001", name="Ergonomic office chair")
    ProductFactory(sku="STL-2001", name="Chair-height stool")
    ProductFactory(sku="PAP-4001", name="Copy paper")
    login(BuyerFactory())
    page.goto(f"{live_server.url}/quotes/new/")

    page.get_by_label("SKU 2", exact=True).press_sequentially("chai", delay=40)

    options = page.locator("#sku-suggestions option")
    expect(options).to_have_count(2)
    expect(options.first).to_have_attribute("value", "CHR-1001")
    assert page.get_by_label("SKU 2", exact=True).get_attribute("list") == "sku-suggestions"
