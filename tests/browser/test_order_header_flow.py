"""A buyer orders for the second delivery address, with a PO reference and a date, and
sees who will approve before placing; the order page and the approver's email carry it."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from companies.demo import DEMO_PASSWORD
from orders.models import Order, OrderStatus

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_order_for_the_second_address_shows_its_header_and_approver(
    page, live_server, login, demo
):
    buyer = demo["buyer2@acme.example"]
    bob = demo["approver2@acme.example"]
    when = timezone.localdate() + timedelta(days=14)
    login(buyer, DEMO_PASSWORD)
    page.get_by_role("link", name="New order").first.click()

    # given the order form, with Acme's default address preselected
    address = page.get_by_label("Deliver to")
    expect(address.locator("option:checked")).to_have_text("Head office")
    address.select_option(label="Warehouse")
    page.get_by_label("Your PO reference").fill("ACME-PO-31337")
    page.get_by_label("Requested delivery date").fill(when.isoformat())
    page.get_by_label("Cost centre").select_option(value="WHS-200")
    page.get_by_label("Note to the seller").fill("Deliver to gate 4, please.")

    # when ten chairs are typed, the live total says who will approve ($3,500: Bob)
    page.get_by_label("SKU 1", exact=True).fill("CHR-1001")
    page.get_by_label("Quantity 1", exact=True).fill("10")
    page.get_by_label("Quantity 1", exact=True).press("Tab")
    expect(page.locator("#order-total-preview")).to_have_text("$3,500.00")
    expect(page.locator("#approval-preview")).to_contain_text(f"Needs approval by {bob.full_name}")
    page.get_by_role("button", name="Place order").click()

    # then the order is where the preview said, with its header on its page
    order = Order.objects.get(placed_by=buyer, po_reference="ACME-PO-31337")
    expect(page).to_have_url(re.compile(rf"/orders/{order.number}/$"))
    assert order.status == OrderStatus.PENDING_APPROVAL
    assert list(order.approval_steps.get().approvers.all()) == [bob]
    expect(page.locator("#header-po")).to_have_text("ACME-PO-31337")
    expect(page.locator("#header-address")).to_contain_text("Warehouse")
    expect(page.locator("#header-address")).to_contain_text("12 Dock Road")
    expect(page.locator("#header-cost-centre")).to_have_text("WHS-200")
    expect(page.locator("#header-note")).to_have_text("Deliver to gate 4, please.")
    expect(page.locator("#header-date")).not_to_have_text("–")

    # and the email asking Bob to decide carries the header
    emails = [m for m in mail.outbox if m.to == [bob.email] and order.number in m.subject]
    assert emails, [m.subject for m in mail.outbox]
    body = emails[-1].body
    assert "Your PO reference: ACME-PO-31337" in body
    assert "Deliver to: Warehouse, Acme Wholesale Ltd, Gate 4, 12 Dock Road" in body
    assert "Cost centre: WHS-200" in body
    assert "Requested delivery date:" in body
    html = emails[-1].alternatives[0][0]
    assert "ACME-PO-31337" in html

    # and the approver sees it on the page where he decides
    login(bob, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/approvals/orders/{order.number}/")
    expect(page.locator("#header-po")).to_have_text("ACME-PO-31337")


def test_a_duplicate_po_reference_links_to_the_order_that_has_it(page, live_server, login, demo):
    buyer = demo["buyer1@acme.example"]
    taken = Order.objects.get(po_reference="ACME-PO-24017")
    login(buyer, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/orders/new/")

    page.get_by_label("Your PO reference").fill("ACME-PO-24017")
    page.get_by_label("SKU 1", exact=True).fill("PAP-4001")
    page.get_by_label("Quantity 1", exact=True).fill("1")
    page.get_by_role("button", name="Place order").click()

    expect(page.get_by_text(f"already on order {taken.number}")).to_be_visible()
    page.locator("#po-reference-taken a").click()
    expect(page).to_have_url(re.compile(rf"/orders/{taken.number}/$"))
