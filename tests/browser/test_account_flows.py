"""Accounts in a browser: invitations, a forgotten password, a company administrator at work,
and a site admin's second factor. Links come from the emails the portal sent.

The pages only reached through an email's link or a login's second step are checked
here the way ``test_every_page.py`` checks the others: no CSP violation, no axe
violation, no sideways scrolling (on a phone where the flow runs on one).
"""

import re
from base64 import b32decode

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django_otp.oath import TOTP
from playwright.sync_api import expect

from approvals.models import StepStatus
from catalog.models import Product
from companies.demo import DEMO_PASSWORD
from companies.models import User
from tests.browser.test_every_page import AXE_IMPACTS, CSP_LISTENER
from tests.factories import place_order

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 360, "height": 740}
NEW_PASSWORD = "violet-harbour-2231"
LINK = re.compile(r"https?://\S+?(/accounts/(?:invitation|password/reset)/\S+?/)\s")


def link_for(email: str) -> str:
    """The path of the link in the last email sent to ``email``."""
    sent = [m for m in mail.outbox if m.to == [email]]
    assert sent, f"no email to {email}: {[m.to for m in mail.outbox]}"
    return LINK.search(sent[-1].body + "\n").group(1)


@pytest.fixture
def clean(page):
    """Check the page as the every-page test does: CSP, axe, no sideways scrolling."""
    page.context.add_init_script(CSP_LISTENER)
    axe = Axe()

    def check(where: str) -> None:
        problems = [
            f"axe {v['impact']} {v['id']}"
            for v in axe.run(page).response["violations"]
            if v["impact"] in AXE_IMPACTS
        ]
        problems += [f"CSP: {v}" for v in page.evaluate("window.__csp || []")]
        width, scroll = page.evaluate("[window.innerWidth, document.documentElement.scrollWidth]")
        if scroll > width:
            problems.append(f"{scroll} px wide in {width} px")
        assert not problems, f"{where}: {problems}"

    return check


def _base32_to_hex(text: str) -> str:
    padded = text + "=" * (-len(text) % 8)
    return b32decode(padded).hex()


def totp_code(key_hex: str, step_ahead: int = 0) -> str:
    totp = TOTP(bytes.fromhex(key_hex))
    totp.drift = step_ahead
    return f"{totp.token():06d}"


def test_a_site_admin_invites_a_contact_who_sets_a_password_and_lands_on_the_dashboard(
    page, live_server, login, demo, clean
):
    # given a site admin adding a person to Acme in Django admin, without a password
    acme = demo["buyer1@acme.example"].company
    login(demo["admin@portal.example"], DEMO_PASSWORD)
    page.goto(f"{live_server.url}/admin/companies/user/add/?company={acme.pk}")
    page.get_by_label("Email address").fill("frank@acme.example")
    page.get_by_label("Full name").fill("Frank Fischer")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("emailed an invitation")

    # when the person opens the email's link on their phone and chooses a password
    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + link_for("frank@acme.example"))
    expect(page).to_have_url(re.compile(r"/accounts/invitation/\d+/accept/$"))
    expect(page.get_by_text("You were invited to order for Acme Wholesale Ltd")).to_be_visible()
    clean("the invitation form")
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set my password and start").click()

    # then they are logged in, on their dashboard
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("alert").first).to_contain_text("Welcome, Frank Fischer")
    assert User.objects.get(email="frank@acme.example").check_password(NEW_PASSWORD)

    # and the link does not work again
    page.context.clear_cookies()
    page.goto(live_server.url + link_for("frank@acme.example"))
    expect(page.locator("#invitation-problem")).to_have_attribute("data-problem", "used")


def test_a_contact_resets_a_forgotten_password(page, live_server, demo, clean):
    buyer = demo["buyer2@acme.example"]
    page.set_viewport_size(PHONE)

    # given the login page, a forgotten password
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    clean("the reset form")
    page.get_by_label("Email address").fill(buyer.email)
    page.get_by_role("button", name="Email me a link").click()
    expect(page.locator("#reset-sent")).to_contain_text("If an account uses the address")

    # when they follow the emailed link and choose a new password
    page.goto(live_server.url + link_for(buyer.email))
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    clean("the new password form")
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set my password").click()
    expect(page.locator("#reset-complete")).to_be_visible()

    # then the new password logs them in, and the link is spent
    page.get_by_role("link", name="Log in").last.click()
    page.get_by_label("Email address").fill(buyer.email)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{live_server.url}/")
    page.goto(live_server.url + link_for(buyer.email))
    expect(page.locator("#reset-link-problem")).to_be_visible()


def test_a_company_administrator_invites_and_deactivates_a_colleague(
    page, live_server, login, demo, clean
):
    # given Acme's administrator, and an order waiting for Alice (approver from $2,000)
    alice, bob = demo["approver1@acme.example"], demo["approver2@acme.example"]
    order = place_order(demo["buyer2@acme.example"], (Product.objects.get(sku="CHR-1001"), 6))
    assert list(order.approval_steps.get(status=StepStatus.OPEN).approvers.all()) == [alice]
    page.set_viewport_size(PHONE)
    login(demo["buyer1@acme.example"], DEMO_PASSWORD)

    # when she invites a colleague from the people page
    page.goto(f"{live_server.url}/accounts/people/")
    clean("the people page")
    page.get_by_role("link", name="Invite a colleague").click()
    page.get_by_label("Full name").fill("Gina Green")
    page.get_by_label("Email address").fill("gina@acme.example")
    page.get_by_role("button", name="Send the invitation").click()

    # then the colleague is listed as invited and has the email
    expect(page.get_by_role("alert").first).to_contain_text("Invitation sent to gina@acme.example")
    gina = User.objects.get(email="gina@acme.example")
    expect(page.locator(f"#person-{gina.pk}")).to_have_attribute("data-state", "invited")
    assert link_for("gina@acme.example").startswith("/accounts/invitation/")

    # when she deactivates Alice
    page.get_by_role("link", name="Deactivate Alice Archer").click()
    expect(page.locator("#deactivate-waiting")).to_contain_text("wait")
    clean("the deactivation page")
    page.get_by_role("button", name="Deactivate", exact=True).click()

    # then Alice is deactivated and her waiting order went to the next approver
    expect(page.get_by_role("alert").first).to_contain_text("Alice Archer was deactivated")
    expect(page.get_by_text(order.number)).to_be_visible()
    expect(page.locator(f"#person-{alice.pk}")).to_have_attribute("data-state", "deactivated")
    alice.refresh_from_db()
    assert not alice.is_active
    assert list(order.approval_steps.get(status=StepStatus.OPEN).approvers.all()) == [bob]


def test_a_site_admin_with_two_factor_on_must_give_a_code_to_log_in(
    page, live_server, login, demo, settings, clean
):
    settings.TWO_FACTOR_REQUIRED_FOR_STAFF = True
    admin = demo["admin@portal.example"]

    # given a site admin without two-factor where it is required: the setup page first
    login(admin, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/$"))
    page.goto(f"{live_server.url}/orders/")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/$"))
    clean("the two-factor setup")

    # when they scan the key, confirm a code and their password
    key_text = page.locator("#two-factor-key").inner_text().replace(" ", "")
    key_hex = _base32_to_hex(key_text)
    page.get_by_label("Code from the app").fill(totp_code(key_hex))
    page.get_by_label("Your password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Turn two-factor on").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    clean("the recovery codes")

    # then a login stops after the password and asks for the code
    login(admin, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/login/code/$"))
    clean("the code step")
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#id_code")).to_have_class(re.compile("is-invalid"))
    expect(page).to_have_url(re.compile(r"/accounts/login/code/$"))

    # and the right code (the next one the app shows) lets them in
    page.wait_for_timeout(1100)  # django-otp makes a try after a wrong code wait a second
    page.get_by_label("Code").fill(totp_code(key_hex, step_ahead=1))
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.goto(f"{live_server.url}/orders/")
    expect(page).to_have_url(re.compile(r"/orders/$"))
