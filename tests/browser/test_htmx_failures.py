"""A button that asks the portal for a piece of a page (htmx) and fails says so.

htmx swaps in no answer that failed and says nothing when there is no answer at
all; ``static/js/portal.js`` shows the portal's reason (a 403's) or that it could
not be reached, on top of whatever is in view, and nothing changed.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from approvals.services import delegation_cancel, delegation_plan
from orders.models import OrderStatus
from tests.approvals.factories import source_example

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def standing_in(page, live_server, login):
    """Approver 2 stands in for approver 1, whose $2,500 order is in their queue on screen."""
    ex = source_example()
    order = ex.place("2500")
    now = timezone.now()
    away = delegation_plan(
        approver=ex.approver1,
        delegate=ex.approver2,
        starts_at=now,
        ends_at=now + timedelta(days=3),
        actor=ex.approver1,
    )
    page.set_viewport_size({"width": 1280, "height": 500})
    login(ex.approver2)
    page.goto(f"{live_server.url}/approvals/")
    approve = page.get_by_role("button", name=f"Approve {order.number}")
    expect(approve).to_be_visible()
    return ex, order, away, approve


def test_an_inline_decision_the_portal_refuses_says_why(page, standing_in):
    ex, order, away, approve = standing_in
    # approver 1 is back meanwhile: the order is theirs alone again
    delegation_cancel(delegation_id=away.pk, actor=ex.approver1)
    page.mouse.wheel(0, 400)

    approve.click()

    said = page.locator("#request-alerts").get_by_role("alert")
    expect(said).to_have_text("This order is not waiting for you.")
    expect(said).to_be_in_viewport()
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_APPROVAL
    # the row is as it was, and the alert goes when dismissed
    expect(approve).to_be_visible()
    said.get_by_role("button", name="Close").click()
    expect(said).to_be_hidden()


def test_an_inline_decision_that_cannot_reach_the_portal_says_so(page, standing_in):
    _ex, order, _away, approve = standing_in
    page.context.set_offline(True)

    approve.click()

    said = page.locator("#request-alerts").get_by_role("alert")
    expect(said).to_have_text("Could not reach the portal; try again.")
    page.context.set_offline(False)
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_APPROVAL
    expect(approve).to_be_visible()

    # back online, the same button decides
    approve.click()
    expect(page.locator(".queue-row-done")).to_contain_text(f"Order {order.number} approved.")
