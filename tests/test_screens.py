"""What a person meets on the pages: error pages, wording, counts, the live preview.

The browser-level checks (every page, every role, two widths) are in
tests/browser/test_every_page.py.
"""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.urls import path, reverse
from django.utils import timezone

from approvals.models import StepStatus
from b2bportal.urls import handler500 as portal_handler500
from b2bportal.urls import urlpatterns as portal_urlpatterns
from core.money import format_money
from core.templatetags.portal import ago, waiting_for
from orders.services import LineRequest, order_edit
from quotations.models import QuoteStatus
from tests.approvals.factories import source_example
from tests.factories import BuyerFactory, ProductFactory, StaffFactory
from tests.quotations.factories import DeskStaffFactory, QuoteFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _boom(request):
    raise RuntimeError("boom")


def _refuse(request):
    raise PermissionDenied("Only the moon may open this page.")


urlpatterns = [path("boom/", _boom), path("refuse/", _refuse), *portal_urlpatterns]
handler500 = portal_handler500


# --- dead ends ----------------------------------------------------------------


def test_a_missing_page_is_branded_with_navigation_and_a_way_back(client):
    client.force_login(BuyerFactory())

    response = client.get("/no-such-page/")

    body = response.content.decode()
    assert response.status_code == 404
    assert 'id="error-page"' in body
    assert 'id="mainnav"' in body  # the navigation
    assert 'href="/"' in body and "Go to my dashboard" in body
    assert "URLconf" not in body  # never the list of URL patterns


def test_a_missing_page_offers_a_login_to_someone_logged_out(client):
    response = client.get("/no-such-page/")

    body = response.content.decode()
    assert response.status_code == 404
    assert 'id="error-page"' in body
    assert reverse("login") in body


@pytest.mark.urls("tests.test_screens")
def test_a_refusal_says_why_on_a_branded_403(client):
    client.force_login(BuyerFactory())

    response = client.get("/refuse/")

    assert response.status_code == 403
    assert "Only the moon may open this page." in response.content.decode()


def test_a_buyer_opening_the_quote_desk_reads_why_with_the_navigation(client):
    client.force_login(BuyerFactory())

    response = client.get(reverse("quotations:desk"))

    body = response.content.decode()
    assert response.status_code == 403
    assert "Only site admins on the quote desk see this page." in body
    assert 'id="mainnav"' in body and 'id="error-ways-back"' in body


@pytest.mark.urls("tests.test_screens")
def test_a_server_error_is_branded_and_needs_no_database(client):
    client.raise_request_exception = False
    client.force_login(BuyerFactory())

    response = client.get("/boom/")

    body = response.content.decode()
    assert response.status_code == 500
    assert 'id="error-page"' in body
    assert "B2B Portal" in body and "Go to my dashboard" in body


def test_an_expired_form_says_so_with_the_navigation(client):
    client.handler.enforce_csrf_checks = True
    client.force_login(BuyerFactory())

    response = client.post(reverse("orders:create"), {})

    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()


def test_someone_who_approves_nothing_gets_a_clear_page_not_an_empty_queue(client):
    world = source_example()
    client.force_login(world.buyer)

    body = client.get(reverse("approvals:queue")).content.decode()

    assert 'id="not-an-approver"' in body
    assert 'id="queue-filter"' not in body


def test_an_approver_with_an_empty_queue_still_sees_the_queue(client):
    world = source_example()
    client.force_login(world.approver1)

    body = client.get(reverse("approvals:queue")).content.decode()

    assert 'id="not-an-approver"' not in body
    assert "Nothing waits for you" in body


# --- formats and words --------------------------------------------------------


def test_money_follows_the_locale_through_one_formatter():
    assert format_money(Decimal("1234.5")) == "$1,234.50"
    assert format_money(Decimal("-3")) == "-$3.00"
    assert format_money(None) == ""
    assert format_money(Decimal("1234.5"), language="de") == "1.234,50\xa0$"
    with override_settings(CURRENCY_CODE="EUR"):
        assert format_money(Decimal("1234.5"), language="de") == "1.234,50\xa0€"


def test_under_a_minute_is_just_now():
    now = timezone.now()
    assert waiting_for(now) == "just now"
    assert ago(now) == "just now"
    assert ago(now - timezone.timedelta(hours=3, minutes=5)) == "3\xa0hours ago"


def test_one_date_format_on_every_page(client):
    world = source_example()
    order = world.place("2500.00")
    client.force_login(world.approver1)

    pages = [
        reverse("home"),
        reverse("orders:list"),
        reverse("approvals:queue"),
        reverse("approvals:order", args=[order.number]),
    ]
    formats = set()
    for url in pages:
        body = client.get(url).content.decode()
        for shown in re.findall(r"<time datetime=\"[^\"]+\">([^<]+)</time>", body):
            formats.add(re.sub(r"\d+", "9", shown))
    assert len(formats) == 1, formats


def test_counts_say_one_or_many(client):
    world = source_example()
    world.place("2500.00")
    client.force_login(world.approver1)

    body = client.get(reverse("home")).content.decode()

    assert "1 orders" not in body
    assert re.search(r'id="queue-count">1</div><div[^>]*>order waiting<', body)


def test_quotes_waiting_for_the_buyer_leave_out_accepted_ones_counted_apart(client):
    buyer = BuyerFactory()
    QuoteFactory(company=buyer.company, status=QuoteStatus.OFFERED, lines=1)
    accepted = QuoteFactory(company=buyer.company, status=QuoteStatus.ACCEPTED, lines=1)
    client.force_login(buyer)

    body = client.get(reverse("home")).content.decode()
    assert 'id="quotes-waiting-count">1<' in body
    assert "quote waiting for our answer" in body
    assert accepted.number in body[body.index('id="dash-quotes"') :]  # as ready to order
    assert "ready to order" in body

    client.force_login(DeskStaffFactory())
    desk = client.get(reverse("quotations:desk")).content.decode()
    assert 'id="waiting-for-buyer">1<' in desk
    assert 'id="ready-to-order">1<' in desk


def test_a_stale_approval_says_where_the_order_went(client):
    world = source_example()
    order = world.place("2500.00")
    step = order.approval_steps.get(status=StepStatus.OPEN)
    seen = order.version
    # the buyer makes it a $3,500 order meanwhile: now approver 2 decides
    order_edit(
        order_id=order.pk,
        actor=world.buyer,
        lines=[LineRequest(sku=world.unit.sku, quantity=3500)],
        seen_version=seen,
    )
    client.force_login(world.approver1)

    response = client.post(
        reverse("approvals:decide", args=[order.number]),
        {"step": step.pk, "version": seen, "decision": "approve"},
        follow=True,
    )

    assert f"It now waits for {world.approver2.full_name}." in response.content.decode()


def test_the_cancel_confirmation_says_what_each_button_does(client):
    world = source_example()
    order = world.place("2500.00")
    client.force_login(world.buyer)

    body = client.get(reverse("orders:detail", args=[order.number])).content.decode()

    assert "confirm(" not in body
    assert "Keep the order" in body and "Cancel the order" in body


# --- the inline approval and the order form's live preview ---------------------


def test_an_inline_approval_updates_the_navigation_count_too(client):
    world = source_example()
    first, _second = world.place("2500.00"), world.place("2600.00")
    step = first.approval_steps.get(status=StepStatus.OPEN)
    client.force_login(world.approver1)

    body = client.post(
        reverse("approvals:decide", args=[first.number]),
        {"step": step.pk, "version": first.version, "decision": "approve"},
        **HTMX,
    ).content.decode()

    oob = body[body.index("<template>") :]
    assert 'id="nav-approvals-count" hx-swap-oob="true"' in oob
    assert ">1<" in oob


def test_the_live_preview_puts_the_line_total_in_its_own_cell(client):
    buyer = BuyerFactory()
    ProductFactory(sku="CHR-1001", unit_price=Decimal("350.00"))
    client.force_login(buyer)

    body = client.get(
        reverse("orders:line_preview"),
        {"row": 0, "lines-TOTAL_FORMS": 1, "lines-0-sku": "chr-1001", "lines-0-quantity": 2},
    ).content.decode()

    # no <td> at the top of a fragment (the parser drops it, leaving its text in place)
    assert "<td" not in body
    assert '<span id="line-total-0" hx-swap-oob="true">$700.00</span>' in body
    assert "$350.00 each" in body


def test_a_wrong_sku_shows_one_message(client):
    buyer = BuyerFactory()
    ProductFactory(sku="CHR-1001")
    client.force_login(buyer)

    body = client.post(
        reverse("orders:create"),
        {
            "lines-TOTAL_FORMS": 1,
            "lines-INITIAL_FORMS": 0,
            "lines-0-sku": "NOPE-1",
            "lines-0-quantity": 1,
        },
    ).content.decode()

    row = body[body.index('class="order-line"') :]
    row = row[: row.index("</tr>")]
    assert row.count("NOPE-1") == 2  # the field's value and one message
    assert "text-danger" not in row


def test_the_sku_placeholder_is_a_product_of_the_demo_catalog():
    from catalog.demo import PRODUCTS

    skus = {p[0] for p in PRODUCTS}
    assert "CHR-1001" in skus


def test_site_admins_see_a_staff_dashboard_with_words_not_digits_alone(client):
    client.force_login(StaffFactory())

    body = client.get(reverse("home")).content.decode()

    assert "orders need a site admin" in body


# --- what the Content-Security-Policy and the icon subset rely on -----------------

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
ICONS = TEMPLATES.parent / "static" / "icons"
# Email bodies are not pages: mail clients need inline styles.
PAGE_TEMPLATES = [p for p in TEMPLATES.rglob("*.html") if "notifications/email" not in str(p)]


@pytest.mark.parametrize("path", PAGE_TEMPLATES, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_templates_hold_no_inline_script_handler_or_style(path):
    text = path.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)", text), "inline <script>"
    assert not re.search(r"\son[a-z]+\s*=", text), "inline event handler"
    assert not re.search(r"\sstyle\s*=", text), "inline style attribute"
    assert "<style" not in text


def test_every_icon_used_is_served_and_hidden_from_screen_readers():
    served = set(re.findall(r"\.bi-([a-z0-9-]+)::before", (ICONS / "icons.css").read_text()))
    for template in PAGE_TEMPLATES:
        text = template.read_text()
        used = set(re.findall(r"\bbi-([a-z0-9-]+)", text))
        assert used <= served, f"{template.name}: run `make icons` for {used - served}"
        for tag in re.findall(r"<i class=\"bi [^>]*>", text):
            assert 'aria-hidden="true"' in tag, f"{template.name}: {tag}"
    assert (ICONS / "icons.woff2").stat().st_size < 10_000


def test_admin_shows_totals_with_their_currency(admin_client):
    world = source_example()
    order = world.place("1234.50")

    changelist = admin_client.get(reverse("admin:orders_order_changelist")).content.decode()
    change = admin_client.get(reverse("admin:orders_order_change", args=[order.pk]))

    assert "$1,234.50" in changelist
    assert "$1,234.50" in change.content.decode()


def test_an_order_below_every_minimum_says_no_approval_was_needed(client):
    world = source_example()
    order = world.place("150.00")
    client.force_login(world.buyer)

    body = client.get(reverse("orders:detail", args=[order.number])).content.decode()

    assert "No approval needed" in body
    assert "Approved without approval" not in body


# --- lists and pasted lines ----------------------------------------------------


def test_an_empty_lists_page_says_how_lists_are_made(client):
    client.force_login(BuyerFactory())

    body = client.get(reverse("requisitions:list")).content.decode()

    assert "No lists yet. Make one, or save an order as a list from its page." in body
    assert "No colleague shares a list yet." in body


def test_a_list_says_one_product_or_many_and_marks_what_is_no_longer_sold(client):
    from tests.requisitions.factories import make_list

    buyer = BuyerFactory()
    old = ProductFactory(sku="OLD-1")
    make_list(buyer, (old, 1), name="One")
    make_list(buyer, (old, 1), (ProductFactory(), 2), name="Two")
    old.is_active = False
    old.save()
    client.force_login(buyer)

    index = client.get(reverse("requisitions:list")).content.decode()
    one = buyer.requisition_lists.get(name="One")
    detail = client.get(reverse("requisitions:detail", args=[one.pk])).content.decode()

    assert "1 product ·" in index and "2 products ·" in index
    assert "no longer sold" in detail


def test_pasted_lines_that_need_a_fix_are_counted_in_words(client):
    ProductFactory(sku="GOOD-1")
    client.force_login(BuyerFactory())

    one = client.post(
        reverse("orders:create"), {"action": "paste", "paste": "GOOD-1\t1\nBAD-1\t1"}
    ).content.decode()
    two = client.post(
        reverse("orders:create"), {"action": "paste", "paste": "BAD-1\t1\nBAD-2\t1"}
    ).content.decode()

    assert "1 line needs a fix; it is back in the box below." in one
    assert "2 lines need a fix; they are back in the box below." in two
