"""A form sent from a dialog that is refused says why where the person looks.

The dialog closes when it is sent; the refusal comes back on top of the page the
person is on again, in view on a desktop and on a phone, and nothing changed.
"""

import os
import re

import pytest
from playwright.sync_api import expect

from quotations.models import QuoteStatus
from tests.factories import BuyerFactory, ProductFactory
from tests.quotations.factories import request_quote

pytestmark = pytest.mark.django_db(transaction=True)

# Where to keep the screenshots (to look at them); none are kept without it.
SHOTS = os.environ.get("SCREENSHOTS_DIR", "")


@pytest.mark.parametrize("width", [1280, 360])
def test_a_refused_withdrawal_is_said_in_view_and_withdraws_nothing(
    page, live_server, login, width
):
    buyer = BuyerFactory()
    quote = request_quote(buyer, (ProductFactory(name="Copy paper"), 5))
    page.set_viewport_size({"width": width, "height": 800})
    login(buyer)
    page.goto(f"{live_server.url}/quotes/{quote.number}/")

    page.get_by_role("button", name="Withdraw").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    # The request carries a reason past the limit, as an older page or another tab
    # could send it (the dialog itself asks for none).
    dialog.locator("form").evaluate(
        """form => {
            const reason = document.createElement("input");
            reason.type = "hidden";
            reason.name = "comment";
            reason.value = "x".repeat(6000);
            form.append(reason);
        }"""
    )
    dialog.get_by_role("button", name="Withdraw the quote").click()

    expect(page).to_have_url(re.compile(rf"/quotes/{quote.number}/$"))
    expect(page.get_by_role("dialog")).to_be_hidden()
    said = page.get_by_role("alert").filter(has_text=f"Quote {quote.number} was not withdrawn")
    expect(said).to_be_visible()
    expect(said).to_contain_text("A message can be at most 5,000 characters; this one has 6,000.")
    expect(said).to_be_in_viewport()
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"withdraw-refused-{width}.png"))
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.REQUESTED
    expect(page.get_by_role("button", name="Withdraw")).to_be_visible()
