"""The API in a browser: its documentation works offline, and a person makes a token on
their account page, sees its key once, and the key works."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_every_page import CSP_LISTENER
from tests.factories import BuyerFactory, ProductFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_swagger_ui_renders_from_the_portals_own_files(page, live_server):
    # the page fixture aborts and records any request to another host
    page.context.add_init_script(CSP_LISTENER)
    seen = []
    page.on("request", lambda request: seen.append(request.url))

    page.goto(f"{live_server.url}/api/v1/docs/")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("API")
    expect(page.locator(".opblock-tag-section").first).to_be_visible()
    expect(page.get_by_text("/api/v1/orders/").first).to_be_visible()
    assert all(url.startswith(live_server.url) for url in seen), seen
    assert page.evaluate("window.__csp") == []


def test_redoc_renders_from_the_portals_own_files(page, live_server):
    page.goto(f"{live_server.url}/api/v1/redoc/")
    expect(page.get_by_role("heading", name="B2B Portal API")).to_be_visible()
    expect(
        page.get_by_role("heading", name="Place an order at today's catalog prices")
    ).to_be_attached()


def test_a_person_makes_a_token_on_their_account_page_and_sees_it_once(page, live_server, login):
    buyer = BuyerFactory()
    ProductFactory()
    login(buyer)

    page.goto(f"{live_server.url}/accounts/")
    page.get_by_role("link", name="Manage API tokens").click()
    page.get_by_label("Name").fill("ERP sync")
    page.get_by_role("button", name="Create token").click()

    key_box = page.locator("#new-token-key")
    expect(key_box).to_be_visible()
    key = key_box.input_value()
    assert re.fullmatch(r"b2b_[\w-]{30,}", key)
    answer = page.request.get(
        f"{live_server.url}/api/v1/company/", headers={"Authorization": f"Bearer {key}"}
    )
    assert answer.status == 200 and answer.json()["id"] == buyer.company_id

    page.reload()  # the key was on that answer only
    page.goto(f"{live_server.url}/accounts/api-tokens/")
    expect(page.locator("#token-list")).to_contain_text("ERP sync")
    assert key not in page.content()
    assert key[:12] in page.content()  # its first characters, to tell tokens apart

    page.get_by_role("button", name="Revoke ERP sync").click()
    expect(page.locator("#token-list")).to_contain_text("Revoked")
    answer = page.request.get(
        f"{live_server.url}/api/v1/company/", headers={"Authorization": f"Bearer {key}"}
    )
    assert answer.status == 401
