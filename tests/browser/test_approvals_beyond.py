"""Approvals beyond the source example, in a browser: deciding from the email, asking for
changes and seeing them, a delegate while the approver is away, a queue cleared in three
actions, an order over budget."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from approvals.models import StepStatus
from approvals.notify import ORDER_WAITING
from companies.demo import DEMO_PASSWORD
from notifications.models import Notification
from notifications.rendering import render_email
from orders.models import Order, OrderStatus
from tests.approvals.factories import waiting_orders

pytestmark = pytest.mark.django_db(transaction=True)


def place(page, login, buyer, sku: str, quantity: int) -> Order:
    login(buyer, DEMO_PASSWORD)
    page.get_by_role("link", name="New order").first.click()
    page.get_by_label("SKU 1", exact=True).fill(sku)
    page.get_by_label("Quantity 1", exact=True).fill(str(quantity))
    page.get_by_role("button", name="Place order").click()
    order = Order.objects.filter(placed_by=buyer).latest("created_at")
    expect(page).to_have_url(re.compile(rf"/orders/{order.number}/$"))
    return order


def links_of(order: Order, approver, live_server) -> dict[str, str]:
    row = Notification.objects.filter(
        kind=ORDER_WAITING, recipient=approver, reference=order.number
    ).latest("created_at")
    body = render_email(row).body
    found = dict(re.findall(r"^(Approve|Reject|Ask for changes): (\S+)$", body, re.M))
    # the email's links name the portal's address; the test server has another
    return {
        k: live_server.url + "/" + v.split("://", 1)[1].split("/", 1)[1] for k, v in found.items()
    }


def test_an_approver_approves_from_the_email_in_two_clicks_and_a_reused_link_decides_nothing(
    page, live_server, login, demo
):
    buyer, approver = demo["buyer1@acme.example"], demo["approver2@acme.example"]
    order = place(page, login, buyer, "CHR-1001", 10)  # $3,500: approver 2
    page.context.clear_cookies()  # the approver reads their email, logged in nowhere
    links = links_of(order, approver, live_server)

    page.goto(links["Approve"])  # first click, in the email
    expect(page.locator("#decide-total")).to_have_text("$3,500.00")
    page.get_by_role("button", name="Approve").click()  # second click
    expect(page.locator("#email-decision-done")).to_contain_text(f"Order {order.number} approved")
    order.refresh_from_db()
    assert order.status == OrderStatus.APPROVED
    assert order.events.last().channel == "email"

    page.goto(links["Reject"])
    expect(page.locator("#email-decision-refused")).to_contain_text("already decided")
    order.refresh_from_db()
    assert order.status == OrderStatus.APPROVED


def test_asked_for_changes_the_buyer_edits_and_the_approver_sees_what_changed(
    page, live_server, login, demo
):
    buyer, approver = demo["buyer1@acme.example"], demo["approver2@acme.example"]
    order = place(page, login, buyer, "CHR-1001", 10)

    login(approver, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/approvals/orders/{order.number}/")
    page.get_by_label("Comment").fill("Nine chairs will do: one is spare from the old office.")
    page.get_by_role("button", name="Ask for changes").click()
    order.refresh_from_db()
    assert order.status == OrderStatus.CHANGES_REQUESTED

    login(buyer, DEMO_PASSWORD)
    expect(page.locator("#orders-to-change")).to_contain_text(order.number)
    page.locator("#orders-to-change").get_by_role("link", name="Change it").click()
    page.get_by_label("Quantity 1", exact=True).fill("9")
    page.get_by_role("button", name="Save changes").click()
    expect(page).to_have_url(re.compile(rf"/orders/{order.number}/$"))
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_APPROVAL
    assert order.total == Decimal("3150.00")

    login(approver, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/approvals/orders/{order.number}/")
    changes = page.locator("#order-changes")
    expect(changes).to_contain_text("quantity 10 → 9")
    expect(changes).to_contain_text("$3,500.00")
    expect(changes).to_contain_text("$3,150.00")
    page.get_by_role("button", name="Approve", exact=True).click()
    order.refresh_from_db()
    assert order.status == OrderStatus.APPROVED


def test_a_delegate_decides_while_the_approver_is_away_and_the_history_names_both(
    page, live_server, login, demo
):
    buyer, approver = demo["buyer1@acme.example"], demo["approver1@acme.example"]
    delegate = demo["buyer2@acme.example"]
    login(approver, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/approvals/away/")
    page.get_by_label("Who decides for me").select_option(label=delegate.full_name)
    page.get_by_role("button", name="Hand over my approvals").click()
    expect(page.locator("#away-current")).to_contain_text(delegate.full_name)

    order = place(page, login, buyer, "CHR-1001", 6)  # $2,100: approver 1 (and her delegate)
    login(delegate, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/approvals/")
    row = page.locator(".queue-row", has=page.get_by_role("link", name=order.number))
    expect(row).to_contain_text(f"on behalf of {approver.full_name}")
    row.get_by_role("link", name=order.number).click()
    page.get_by_role("button", name="Approve", exact=True).click()

    login(buyer, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/orders/{order.number}/")
    expect(page.locator("#approval-progress")).to_contain_text(
        f"{delegate.full_name} on behalf of {approver.full_name}"
    )


def test_twenty_waiting_orders_are_cleared_in_three_actions(page, live_server, login, demo):
    approver = demo["approver1@acme.example"]
    twenty = waiting_orders(20, approver=approver, buyer=demo["buyer2@acme.example"])
    login(approver, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/approvals/")  # the queue, from the dashboard's link

    page.get_by_label("Select every order on this page").check()  # 1
    page.get_by_role("button", name="Approve selected").click()  # 2

    expect(page.get_by_role("alert").first).to_contain_text("orders approved")
    statuses = set(
        Order.objects.filter(pk__in=[o.pk for o in twenty]).values_list("status", flat=True)
    )
    assert statuses == {OrderStatus.APPROVED}


def test_an_order_over_the_budget_goes_to_the_top_tier_and_the_buyer_sees_why(
    page, live_server, login, demo
):
    buyer = demo["buyer@globex.example"]  # Globex's budget is nearly used up in the demo
    order = place(page, login, buyer, "CHR-1001", 2)  # $700, past the $400 left

    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_APPROVAL
    assert order.approval_steps.get(status=StepStatus.OPEN).needs_site_admin
    expect(page.locator("body")).to_contain_text("budget by $300.00")
