"""The inbox on a phone: 360 px wide, no sideways scrolling, every action in reach."""

import re

import pytest
from playwright.sync_api import expect

from notifications.models import Notification, NotificationPreference
from quotations.services import quote_post_message
from tests.approvals.factories import source_example
from tests.factories import BuyerFactory, ProductFactory
from tests.quotations.factories import DeskStaffFactory, request_quote

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 360, "height": 740}


def no_sideways_scrolling(page) -> None:
    width, scroll = page.evaluate("[window.innerWidth, document.documentElement.scrollWidth]")
    assert scroll <= width, f"the page is {scroll}px wide in a {width}px viewport"


def test_an_approver_reads_the_inbox_on_a_phone_and_opens_the_order(page, live_server, login):
    # given two orders waiting for approver 1, one from a company with a very long name
    example = source_example()
    example.company.name = "Consolidated-International-Wholesale-Procurement-Holdings-GmbH"
    example.company.save()
    first = example.place("2500.00")
    second = example.place("2600.00")
    page.set_viewport_size(PHONE)
    login(example.approver1)

    # when they open their notifications
    page.goto(f"{live_server.url}/notifications/")

    # then both are there, newest first and unread, on a page that fits the phone
    entries = page.locator("#inbox > li")
    expect(entries).to_have_count(2)
    expect(entries.nth(0)).to_contain_text(second.number)
    expect(entries.nth(1)).to_contain_text(first.number)
    expect(page.locator("#unread-summary")).to_have_text("2 unread")
    no_sideways_scrolling(page)

    # when they mark the newest read
    entries.nth(0).get_by_role("button", name=re.compile("Mark as read")).click()

    # then one is left unread
    expect(page.locator("#unread-summary")).to_have_text("1 unread")
    expect(entries.nth(0).get_by_role("button", name=re.compile("Mark as read"))).to_have_count(0)
    no_sideways_scrolling(page)

    # when they follow the other entry, they land on the order waiting for them
    entries.nth(1).get_by_role("link", name=re.compile(first.number)).click()
    expect(page).to_have_url(re.compile(rf"/approvals/orders/{first.number}/$"))

    # and "mark all as read" clears the count in the navigation
    page.goto(f"{live_server.url}/notifications/")
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.locator("#unread-summary")).to_have_text("Nothing unread")
    expect(page.locator("#nav-notifications .badge")).to_have_count(0)
    assert not Notification.objects.filter(recipient=example.approver1, read_at=None).exists()


def test_a_long_unbroken_message_wraps_on_a_phone(page, live_server, login):
    # given a seller's message with a link far wider than a phone
    buyer = BuyerFactory()
    quote = request_quote(buyer, (ProductFactory(), 5))
    link = "https://supplier.example/catalogue/" + "x" * 180
    quote_post_message(quote_id=quote.pk, actor=DeskStaffFactory(), body=f"See {link}")
    page.set_viewport_size(PHONE)
    login(buyer)

    page.goto(f"{live_server.url}/notifications/")

    expect(page.locator("#inbox")).to_contain_text(link[:150])
    no_sideways_scrolling(page)


def test_a_buyer_chooses_emails_on_a_phone(page, live_server, login):
    example = source_example()
    page.set_viewport_size(PHONE)
    login(example.buyer)

    page.goto(f"{live_server.url}/accounts/email/")
    no_sideways_scrolling(page)
    page.get_by_label("Reminder: order still waiting").uncheck()
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("Your email preferences were saved.")).to_be_visible()
    expect(page.get_by_label("Reminder: order still waiting")).not_to_be_checked()
    expect(page.get_by_label("Offer made")).to_be_checked()
    no_sideways_scrolling(page)
    assert NotificationPreference.objects.get(user=example.buyer).email_off == ["approval_reminder"]
