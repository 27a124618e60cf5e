"""The source example in a browser: a $3,500 order waits for approver 2 only."""

import re

import pytest
from playwright.sync_api import expect

from companies.demo import DEMO_PASSWORD
from orders.models import Order, OrderStatus

pytestmark = pytest.mark.django_db(transaction=True)


def place_ten_chairs(page, live_server, login, buyer) -> Order:
    login(buyer, DEMO_PASSWORD)
    page.get_by_role("link", name="New order").first.click()
    page.get_by_label("SKU 1", exact=True).fill("CHR-1001")
    page.get_by_label("Quantity 1", exact=True).fill("10")
    page.get_by_role("button", name="Place order").click()
    order = Order.objects.filter(placed_by=buyer).latest("created_at")
    expect(page).to_have_url(re.compile(rf"/orders/{order.number}/$"))
    expect(page.locator("#order-total")).to_have_text("$3,500.00")
    return order


def open_queue(page, login, approver):
    login(approver, DEMO_PASSWORD)
    page.locator("#nav-approvals").click()
    expect(page).to_have_url(re.compile(r"/approvals/$"))


def test_approver_2_and_only_approver_2_approves_a_3500_order(page, live_server, login, demo):
    buyer = demo["buyer1@acme.example"]

    order = place_ten_chairs(page, live_server, login, buyer)
    expect(page.get_by_text("Waiting for approval").first).to_be_visible()

    for email in ("approver1@acme.example", "approver3@acme.example"):
        open_queue(page, login, demo[email])
        expect(page.get_by_role("link", name=order.number)).to_have_count(0)

    open_queue(page, login, demo["approver2@acme.example"])
    page.get_by_role("link", name=order.number).click()
    page.get_by_label("Comment").fill("Fine, chairs are in the budget.")
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.get_by_role("alert").first).to_contain_text("approved")

    login(buyer, DEMO_PASSWORD)
    page.get_by_role("link", name="Orders", exact=True).first.click()
    page.get_by_role("link", name=order.number).click()
    expect(page.get_by_text("Approved").first).to_be_visible()
    expect(page.get_by_text("Fine, chairs are in the budget.").first).to_be_visible()
    order.refresh_from_db()
    assert order.status == OrderStatus.APPROVED


def test_a_rejection_with_its_comment_reaches_the_buyer(page, live_server, login, demo):
    buyer = demo["buyer2@acme.example"]
    order = place_ten_chairs(page, live_server, login, buyer)

    open_queue(page, login, demo["approver2@acme.example"])
    page.get_by_role("link", name=order.number).click()
    page.get_by_role("button", name="Reject", exact=True).click()
    # a rejection without a reason is refused
    expect(page.get_by_text("Say why you reject the order").first).to_be_visible()
    page.get_by_label("Comment").fill("Ten chairs is too many for your team.")
    page.get_by_role("button", name="Reject", exact=True).click()

    login(buyer, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Orders", exact=True).first.click()
    page.get_by_role("link", name=order.number).click()
    expect(page.get_by_text("Rejected").first).to_be_visible()
    expect(page.get_by_text("Ten chairs is too many for your team.").first).to_be_visible()
    order.refresh_from_db()
    assert order.status == OrderStatus.REJECTED


def test_an_approver_approves_from_the_queue_on_a_phone(page, live_server, login, demo):
    # given approver 2's queue on a 360 px phone
    page.set_viewport_size({"width": 360, "height": 740})
    approver = demo["approver2@acme.example"]
    waiting = list(
        Order.objects.filter(
            status=OrderStatus.PENDING_APPROVAL,
            approval_steps__status="open",
            approval_steps__approvers=approver,
        ).order_by("created_at")
    )
    login(approver, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/approvals/")
    order = waiting[0]
    row = page.locator(".queue-row", has=page.get_by_role("link", name=order.number))
    expect(row.locator(".money")).to_be_in_viewport()
    approve = page.get_by_role("button", name=f"Approve {order.number}")
    expect(approve).to_be_in_viewport(ratio=1)

    # when they tap Approve on its card
    approve.click()

    # then the card says so, the navigation's count goes down, and no page scrolls sideways
    expect(page.locator(".queue-row-done")).to_contain_text(f"Order {order.number} approved.")
    expect(page.locator("#nav-approvals-count .badge")).to_have_text(str(len(waiting) - 1))
    # a screen reader hears the link's name, then the count in words
    page.get_by_role("button", name="Menu").click()
    expect(page.locator("#nav-approvals")).to_have_accessible_name("To approve")
    left = len(waiting) - 1
    expect(page.locator("#nav-approvals")).to_have_accessible_description(
        f"{left} order waiting" if left == 1 else f"{left} orders waiting"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    order.refresh_from_db()
    assert order.status == OrderStatus.APPROVED
