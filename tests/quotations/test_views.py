from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orders.models import Order
from quotations.models import Quote, QuoteStatus
from quotations.services import quote_accept, quote_place_order
from tests.factories import BuyerFactory, CompanyFactory, StaffFactory, place_order
from tests.quotations.factories import QuoteFactory, offer, request_quote

pytestmark = pytest.mark.django_db


def lines_post(*rows, extra=None, prefix="lines"):
    """A quote line formset as the browser posts it: (sku, quantity[, target])."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(max(len(rows), 1)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "100",
    }
    for i, row in enumerate(rows):
        data[f"{prefix}-{i}-sku"] = row[0]
        data[f"{prefix}-{i}-quantity"] = row[1]
        data[f"{prefix}-{i}-target_unit_price"] = row[2] if len(row) > 2 else ""
    data.update(extra or {})
    return data


def offer_post(quote: Quote, prices: list[str], *, version=None, expires_on=None, extra=None):
    lines = list(quote.lines.order_by("id"))
    data = {
        "offer-version": str(quote.version if version is None else version),
        "offer-expires_on": (expires_on or timezone.localdate() + timedelta(days=10)).isoformat(),
        "offer-message": "Our prices.",
        "offer-lines-TOTAL_FORMS": str(len(lines)),
        "offer-lines-INITIAL_FORMS": str(len(lines)),
        "offer-lines-MIN_NUM_FORMS": "0",
        "offer-lines-MAX_NUM_FORMS": "100",
    }
    for i, (line, price) in enumerate(zip(lines, prices, strict=True)):
        data[f"offer-lines-{i}-line_id"] = str(line.pk)
        data[f"offer-lines-{i}-unit_price"] = price
        data[f"offer-lines-{i}-quantity"] = str(line.quantity)
    data.update(extra or {})
    return data


def snapshot(quote: Quote) -> tuple:
    quote.refresh_from_db()
    return (
        quote.status,
        quote.version,
        list(quote.lines.order_by("id").values_list("quantity", "offered_unit_price")),
        quote.messages.count(),
        quote.events.count(),
        Order.objects.count(),
    )


# --- who may do what ------------------------------------------------------------------

ROLES = ["buyer", "colleague", "other_company", "desk", "staff_without_desk"]

# url name, method, the state the quote is in, and the answer per role
MATRIX = [
    ("quotations:detail", "get", "requested", [200, 200, 404, 200, 403]),
    # colleagues see a quote and write on its thread; the person who asked acts on it
    ("quotations:edit", "get", "requested", [200, 403, 404, 403, 403]),
    ("quotations:edit", "post", "offered", [302, 403, 404, 403, 403]),
    ("quotations:withdraw", "post", "requested", [302, 403, 404, 403, 403]),
    ("quotations:accept", "post", "offered", [302, 403, 404, 403, 403]),
    ("quotations:place_order", "post", "accepted", [302, 403, 404, 403, 403]),
    ("quotations:message", "post", "requested", [302, 302, 404, 302, 403]),
    ("quotations:offer", "post", "requested", [403, 403, 404, 302, 403]),
    ("quotations:accept_as_requested", "post", "requested", [403, 403, 404, 302, 403]),
    ("quotations:reject", "post", "requested", [403, 403, 404, 302, 403]),
]


@pytest.fixture
def people(buyer, colleague, other_company_buyer, desk, bare_staff):
    return {
        "buyer": buyer,
        "colleague": colleague,
        "other_company": other_company_buyer,
        "desk": desk,
        "staff_without_desk": bare_staff,
    }


def _quote_in(state: str, buyer, desk, products) -> Quote:
    quote = request_quote(buyer, (products[0], 10), (products[1], 2))
    if state in ("offered", "accepted"):
        quote = offer(quote, desk, {products[0]: "9.00", products[1]: "20.00"})
    if state == "accepted":
        quote = quote_accept(quote_id=quote.pk, actor=buyer, seen_version=quote.version)
    quote.refresh_from_db()
    return quote


def _payload(url_name: str, quote: Quote, products) -> dict:
    version = {"version": str(quote.version)}
    return {
        "quotations:edit": lines_post(
            (products[2].sku, "4", "90.00"), extra={**version, "message": "Counter."}
        ),
        "quotations:withdraw": version,
        "quotations:accept": version,
        "quotations:place_order": version,
        "quotations:message": {"body": "A question about delivery."},
        "quotations:offer": offer_post(quote, ["8.00", "19.00"]),
        "quotations:accept_as_requested": {**version, "message": ""},
        "quotations:reject": {**version, "reason": "Out of range."},
    }.get(url_name, {})


@pytest.mark.parametrize(("url_name", "method", "state", "expected"), MATRIX)
@pytest.mark.parametrize("role", ROLES)
def test_who_may_see_and_do_what_on_a_quote(
    client, people, desk, products, url_name, method, state, expected, role
):
    # given a quote of the buyer's company in the state the action starts from
    quote = _quote_in(state, people["buyer"], desk, products)
    before = snapshot(quote)
    client.force_login(people[role])

    # when this person calls the URL
    response = getattr(client, method)(
        reverse(url_name, args=[quote.number]), _payload(url_name, quote, products)
    )

    # then the answer is as in the table, and only an allowed POST changes the quote
    assert response.status_code == expected[ROLES.index(role)]
    if method == "post" and response.status_code == 302:
        assert snapshot(quote) != before
    else:
        assert snapshot(quote) == before


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("buyer", 403),
        ("other_company", 403),
        ("desk", 200),
        ("staff_without_desk", 403),
    ],
)
def test_only_the_desk_opens_the_quote_desk(client, people, role, expected):
    client.force_login(people[role])
    assert client.get(reverse("quotations:desk")).status_code == expected


def test_my_quotes_are_for_contacts_and_the_desk_is_sent_to_its_page(client, people):
    client.force_login(people["desk"])
    assert client.get(reverse("quotations:list")).url == reverse("quotations:desk")
    client.force_login(people["staff_without_desk"])
    assert client.get(reverse("quotations:list")).status_code == 403
    assert client.get(reverse("quotations:create")).status_code == 403


def test_an_unknown_quote_is_a_404(client, buyer, desk):
    client.force_login(buyer)
    assert client.get(reverse("quotations:detail", args=["Q-999999"])).status_code == 404
    client.force_login(desk)
    assert client.get(reverse("quotations:detail", args=["Q-999999"])).status_code == 404


def test_quote_pages_need_a_login(client):
    for url in (reverse("quotations:list"), reverse("quotations:desk")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_actions_need_post(client, buyer, products):
    quote = request_quote(buyer, (products[0], 1))
    client.force_login(buyer)
    for name in ("withdraw", "accept", "place_order", "message", "offer", "reject"):
        assert client.get(reverse(f"quotations:{name}", args=[quote.number])).status_code == 405


def test_the_nav_links_to_quotes_for_contacts_and_to_the_desk_for_desk_staff(client, people):
    client.force_login(people["buyer"])
    assert reverse("quotations:list") in client.get(reverse("orders:list")).content.decode()
    client.force_login(people["desk"])
    assert reverse("quotations:desk") in client.get(reverse("orders:list")).content.decode()
    client.force_login(people["staff_without_desk"])
    assert reverse("quotations:desk") not in client.get(reverse("orders:list")).content.decode()


# --- the buyer's pages ---------------------------------------------------------------


def test_a_buyer_requests_a_quote_with_targets_and_a_message(client, buyer, products):
    client.force_login(buyer)

    response = client.post(
        reverse("quotations:create"),
        lines_post(
            (products[0].sku, "100", "8.00"),
            (products[1].sku.lower(), "2"),
            ("", ""),
            extra={"message": "For the new warehouse."},
        ),
    )

    quote = Quote.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("quotations:detail", args=[quote.number])
    assert list(quote.lines.values_list("quantity", "target_unit_price")) == [
        (100, Decimal("8.00")),
        (2, None),
    ]
    page = client.get(response.url).content.decode()
    assert "$1,051.00" in page  # 100*10.00 + 2*25.50 at catalog prices
    assert "$851.00" in page  # as requested: 100*8.00 + 2*25.50
    assert "For the new warehouse." in page


def test_the_quote_form_prefills_a_sku_from_the_catalog(client, buyer, products):
    client.force_login(buyer)
    body = client.get(reverse("quotations:create") + f"?sku={products[1].sku}").content.decode()
    assert f'value="{products[1].sku}"' in body


def test_posted_prices_and_totals_are_ignored(client, buyer, products):
    client.force_login(buyer)

    client.post(
        reverse("quotations:create"),
        lines_post(
            (products[0].sku, "2"),
            extra={
                "message": "Hi",
                "lines-0-offered_unit_price": "0.01",
                "lines-0-unit_price": "0.01",
                "total": "0.01",
            },
        ),
    )

    line = Quote.objects.get().lines.get()
    assert (line.target_unit_price, line.offered_unit_price) == (None, None)


@pytest.mark.parametrize(
    ("rows", "message", "error"),
    [
        ([("", "")], "Hi", "Add at least one product."),
        ([("P0", "0")], "Hi", "Quantity must be a whole number from 1 to 100,000."),
        ([("P0", "-3")], "Hi", "Quantity must be a whole number from 1 to 100,000."),
        ([("P0", "lots")], "Hi", "Enter a whole number"),
        ([("P0", "100001")], "Hi", "Quantity must be a whole number from 1 to 100,000."),
        ([("P0", "1", "-1")], "Hi", "A price cannot be negative."),
        ([("P0", "1", "1000000.01")], "Hi", "A unit price can be at most 1,000,000.00."),
        ([("P0", "1", "abc")], "Hi", "Enter a number"),
        ([("P0", "1", "5"), ("P0", "1", "6")], "Hi", "two different target prices"),
        ([("XX-404", "1")], "Hi", "No product has the SKU XX-404."),
        ([("P0", "1")], "", "This field is required"),
        ([("P0", "1")], "x" * 20_000, "A message can be at most 5,000 characters"),
    ],
)
def test_a_bad_quote_form_shows_an_error_and_saves_nothing(
    client, buyer, products, rows, message, error
):
    client.force_login(buyer)
    rows = [(products[0].sku if r[0] == "P0" else r[0], *r[1:]) for r in rows]

    response = client.post(
        reverse("quotations:create"), lines_post(*rows, extra={"message": message})
    )

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Quote.objects.exists()


def test_the_order_form_turns_its_lines_into_a_quote_request(client, buyer, products):
    client.force_login(buyer)
    order_form = client.get(reverse("orders:create")).content.decode()
    assert "Request a quote instead" in order_form

    assert f'formaction="{reverse("quotations:create")}"' in order_form
    # the button posts the order form's lines to the quote page
    response = client.post(
        reverse("quotations:create"),
        {
            "lines-TOTAL_FORMS": "2",
            "lines-INITIAL_FORMS": "0",
            "lines-0-sku": products[0].sku,
            "lines-0-quantity": "40",
            "lines-1-sku": products[1].sku,
            "lines-1-quantity": "3",
            "action": "quote",
        },
    )

    quote = Quote.objects.get()
    assert response.url == reverse("quotations:detail", args=[quote.number])
    assert not Order.objects.exists()
    assert list(quote.lines.values_list("product", "quantity")) == [
        (products[0].pk, 40),
        (products[1].pk, 3),
    ]


def test_the_order_form_shows_no_quote_button_when_changing_an_order(client, buyer, products):
    order = place_order(buyer, (products[0], 1))
    client.force_login(buyer)

    body = client.get(reverse("orders:edit", args=[order.number])).content.decode()

    assert "Request a quote instead" not in body


def test_a_counter_proposal_through_the_edit_page(client, buyer, desk, products):
    quote = offer(request_quote(buyer, (products[0], 10)), desk, {products[0]: "9.00"})
    client.force_login(buyer)
    page = client.get(reverse("quotations:edit", args=[quote.number])).content.decode()
    assert "counter-proposal" in page

    response = client.post(
        reverse("quotations:edit", args=[quote.number]),
        lines_post(
            (products[0].sku, "20", "8.50"),
            extra={"version": str(quote.version), "message": "20 at 8.50?"},
        ),
    )

    assert response.status_code == 302
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.REQUESTED
    assert list(quote.lines.values_list("quantity", "target_unit_price")) == [(20, Decimal("8.50"))]


def test_an_edit_from_a_stale_page_is_refused_with_a_message(client, buyer, desk, products):
    quote = request_quote(buyer, (products[0], 10))
    stale = quote.version
    offer(quote, desk, {products[0]: "9.00"})
    before = snapshot(quote)
    client.force_login(buyer)

    response = client.post(
        reverse("quotations:edit", args=[quote.number]),
        lines_post((products[0].sku, "20"), extra={"version": str(stale)}),
        follow=True,
    )

    assert "changed while you were looking at it" in response.content.decode()
    assert snapshot(quote) == before


def test_editing_a_withdrawn_quote_is_refused_with_a_message(client, buyer, products):
    quote = request_quote(buyer, (products[0], 10))
    client.force_login(buyer)
    client.post(reverse("quotations:withdraw", args=[quote.number]), {"version": "1"})
    before = snapshot(quote)

    response = client.get(reverse("quotations:edit", args=[quote.number]), follow=True)

    assert "is withdrawn and can no longer be changed" in response.content.decode()
    response = client.post(
        reverse("quotations:accept", args=[quote.number]), {"version": "2"}, follow=True
    )
    assert "is withdrawn; this can no longer be done" in response.content.decode()
    assert snapshot(quote) == before


def test_an_expired_offer_shows_no_accept_button_and_cannot_be_accepted(
    client, buyer, desk, products
):
    quote = offer(request_quote(buyer, (products[0], 10)), desk, {products[0]: "9.00"})
    Quote.objects.filter(pk=quote.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    before = snapshot(quote)
    client.force_login(buyer)

    page = client.get(reverse("quotations:detail", args=[quote.number])).content.decode()
    assert "This offer expired on" in page
    assert reverse("quotations:accept", args=[quote.number]) not in page

    response = client.post(
        reverse("quotations:accept", args=[quote.number]),
        {"version": str(quote.version)},
        follow=True,
    )
    assert "expired on" in response.content.decode()
    assert "can no longer be accepted" in response.content.decode()
    assert snapshot(quote) == before


def test_accepting_and_ordering_in_one_click_links_order_and_quote(client, buyer, desk, products):
    quote = offer(request_quote(buyer, (products[0], 10)), desk, {products[0]: "9.00"})
    client.force_login(buyer)

    client.post(reverse("quotations:accept", args=[quote.number]), {"version": quote.version})
    quote.refresh_from_db()
    response = client.post(
        reverse("quotations:place_order", args=[quote.number]), {"version": quote.version}
    )

    quote.refresh_from_db()
    order = quote.order
    assert response.url == reverse("orders:detail", args=[order.number])
    assert order.total == Decimal("90.00")
    order_page = client.get(response.url).content.decode()
    assert f'href="{reverse("quotations:detail", args=[quote.number])}"' in order_page
    assert "From quote" in order_page
    quote_page = client.get(reverse("quotations:detail", args=[quote.number])).content.decode()
    assert order.number in quote_page

    again = client.post(
        reverse("quotations:place_order", args=[quote.number]),
        {"version": quote.version},
        follow=True,
    )
    assert "already ordered" in again.content.decode()
    assert Order.objects.count() == 1


def test_the_order_page_without_a_quote_shows_no_quote_link(client, buyer, products):
    order = place_order(buyer, (products[0], 1))
    client.force_login(buyer)

    body = client.get(reverse("orders:detail", args=[order.number])).content.decode()

    assert "From quote" not in body


# --- the thread ----------------------------------------------------------------------


def test_user_text_is_escaped_everywhere(client, buyer, desk, products):
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    quote = request_quote(buyer, (products[0], 1), message=attack)
    client.force_login(desk)
    client.post(
        reverse("quotations:reject", args=[quote.number]),
        {"version": quote.version, "reason": attack},
    )

    for person in (buyer, desk):
        client.force_login(person)
        body = client.get(reverse("quotations:detail", args=[quote.number])).content.decode()
        assert attack not in body
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body


def test_posting_a_message_without_javascript_returns_to_the_thread(client, buyer, products):
    quote = request_quote(buyer, (products[0], 1))
    client.force_login(buyer)

    response = client.post(
        reverse("quotations:message", args=[quote.number]), {"body": "When can you deliver?"}
    )

    assert response.url == reverse("quotations:detail", args=[quote.number]) + "#thread"
    assert quote.messages.last().body == "When can you deliver?"


def test_posting_a_message_with_htmx_returns_the_thread_only(client, buyer, desk, products):
    quote = request_quote(buyer, (products[0], 1))
    client.force_login(desk)

    response = client.post(
        reverse("quotations:message", args=[quote.number]),
        {"body": "Next Tuesday."},
        headers={"HX-Request": "true"},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div class="card shadow-sm" id="thread">')
    assert "<html" not in body
    assert "Next Tuesday." in body


@pytest.mark.parametrize("text", ["", "   ", "x" * 20_000])
def test_an_empty_or_huge_message_is_refused_on_the_page(client, buyer, products, text):
    quote = request_quote(buyer, (products[0], 1))
    before = snapshot(quote)
    client.force_login(buyer)

    plain = client.post(reverse("quotations:message", args=[quote.number]), {"body": text})
    htmx = client.post(
        reverse("quotations:message", args=[quote.number]),
        {"body": text},
        headers={"HX-Request": "true"},
    )

    for response in (plain, htmx):
        assert response.status_code == 200
        body = response.content.decode()
        assert "This field is required" in body or "at most 5,000 characters" in body
    assert snapshot(quote) == before


def test_a_message_on_a_closed_quote_is_refused_with_a_message(client, buyer, products):
    quote = request_quote(buyer, (products[0], 1))
    client.force_login(buyer)
    client.post(reverse("quotations:withdraw", args=[quote.number]), {"version": "1"})
    before = snapshot(quote)

    response = client.post(
        reverse("quotations:message", args=[quote.number]), {"body": "Hello?"}, follow=True
    )
    htmx = client.post(
        reverse("quotations:message", args=[quote.number]),
        {"body": "Hello?"},
        headers={"HX-Request": "true"},
    )

    assert "its thread is closed" in response.content.decode()
    assert "its thread is closed" in htmx.content.decode()
    assert snapshot(quote) == before


def test_the_thread_shows_revisions_messages_and_moves_in_time_order(client, buyer, desk, products):
    quote = request_quote(buyer, (products[0], 10), message="First ask")
    quote = offer(quote, desk, {products[0]: "9.00"}, message="Our offer")
    client.force_login(buyer)
    client.post(
        reverse("quotations:edit", args=[quote.number]),
        lines_post((products[0].sku, "12", "8.50"), extra={"version": quote.version}),
    )

    body = client.get(reverse("quotations:detail", args=[quote.number])).content.decode()

    order_of = [
        body.index("Revision 1: Request"),
        body.index("First ask"),
        body.index("Revision 2: Offer"),
        body.index("Our offer"),
        body.index("Revision 3: Counter-proposal"),
    ]
    assert order_of == sorted(order_of)
    assert "quantity 10 → 12" in body
    assert "$9.00 → –" in body  # the counter drops the offered price


# --- the desk ------------------------------------------------------------------------


def test_the_desk_offers_prices_through_its_form(client, buyer, desk, products):
    quote = request_quote(buyer, (products[0], 10), (products[1], 2))
    client.force_login(desk)
    page = client.get(reverse("quotations:detail", args=[quote.number])).content.decode()
    assert reverse("quotations:offer", args=[quote.number]) in page

    response = client.post(
        reverse("quotations:offer", args=[quote.number]),
        offer_post(quote, ["9.00", "20.50"], extra={"offer-lines-1-quantity": "3"}),
    )

    assert response.status_code == 302
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.OFFERED
    assert timezone.localtime(quote.expires_at).date() == timezone.localdate() + timedelta(days=10)
    assert list(quote.lines.order_by("id").values_list("quantity", "offered_unit_price")) == [
        (10, Decimal("9.00")),
        (3, Decimal("20.50")),
    ]
    buyer_page = client.get(reverse("quotations:detail", args=[quote.number])).content.decode()
    assert "$151.50" in buyer_page  # 10*9.00 + 3*20.50


@pytest.mark.parametrize(
    ("prices", "expires_on", "error"),
    [
        (["-1", "2.00"], None, "A price cannot be negative."),
        (["1000000.01", "2.00"], None, "A unit price can be at most 1,000,000.00."),
        (["", "2.00"], None, "This field is required"),
        (["1.00", "2.00"], "yesterday", "Pick a date from today on"),
    ],
)
def test_a_bad_offer_shows_an_error_and_changes_nothing(
    client, buyer, desk, products, prices, expires_on, error
):
    quote = request_quote(buyer, (products[0], 10), (products[1], 2))
    before = snapshot(quote)
    client.force_login(desk)
    day = timezone.localdate() - timedelta(days=1) if expires_on else None

    response = client.post(
        reverse("quotations:offer", args=[quote.number]),
        offer_post(quote, prices, expires_on=day),
    )

    assert response.status_code == 200
    assert error in response.content.decode()
    assert snapshot(quote) == before


def test_an_offer_from_a_stale_page_is_refused_with_a_message(client, buyer, desk, products):
    quote = request_quote(buyer, (products[0], 10))
    client.force_login(buyer)
    client.post(
        reverse("quotations:edit", args=[quote.number]),
        lines_post((products[0].sku, "11"), extra={"version": "1"}),
    )
    before = snapshot(quote)
    client.force_login(desk)

    response = client.post(
        reverse("quotations:offer", args=[quote.number]),
        offer_post(quote, ["9.00"], version=1),
        follow=True,
    )

    assert "changed while you were looking at it" in response.content.decode()
    assert snapshot(quote) == before


def test_rejecting_without_a_reason_shows_an_error(client, buyer, desk, products):
    quote = request_quote(buyer, (products[0], 10))
    before = snapshot(quote)
    client.force_login(desk)

    response = client.post(
        reverse("quotations:reject", args=[quote.number]), {"version": "1", "reason": ""}
    )

    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert snapshot(quote) == before


def test_the_desk_lists_the_longest_waiting_first_with_counts(client, buyer, desk, products):
    old = request_quote(buyer, (products[0], 1))
    new = request_quote(buyer, (products[1], 1))
    offered = offer(request_quote(buyer, (products[2], 1)), desk, {products[2]: "1.00"})
    Quote.objects.filter(pk=old.pk).update(last_activity_at=timezone.now() - timedelta(days=3))
    client.force_login(desk)

    body = client.get(reverse("quotations:desk")).content.decode()

    positions = [body.index(f">{q.number}<") for q in (old, new, offered)]
    assert positions == sorted(positions)
    assert '<div class="display-6" id="waiting-for-seller">2</div>' in body
    assert '<div class="display-6" id="waiting-for-buyer">1</div>' in body


def test_the_desk_filters_by_status_and_company(client, buyer, other_company_buyer, desk, products):
    mine = request_quote(buyer, (products[0], 1))
    theirs = request_quote(other_company_buyer, (products[1], 1))
    offered = offer(request_quote(buyer, (products[2], 1)), desk, {products[2]: "1.00"})
    client.force_login(desk)

    by_company = client.get(
        reverse("quotations:desk"), {"company": other_company_buyer.company_id}
    ).content.decode()
    by_status = client.get(reverse("quotations:desk"), {"status": "offered"}).content.decode()

    assert theirs.number in by_company and mine.number not in by_company
    assert offered.number in by_status and mine.number not in by_status


def test_my_quotes_show_only_my_companys_quotes_and_whose_turn_it_is(
    client, buyer, other_company_buyer, desk, products
):
    mine = offer(request_quote(buyer, (products[0], 1)), desk, {products[0]: "1.00"})
    waiting = request_quote(buyer, (products[1], 1))
    theirs = request_quote(other_company_buyer, (products[1], 1))
    client.force_login(buyer)

    body = client.get(reverse("quotations:list")).content.decode()
    only_mine = client.get(reverse("quotations:list"), {"waiting": "true"}).content.decode()

    assert mine.number in body and waiting.number in body and theirs.number not in body
    assert "Your turn" in body
    assert mine.number in only_mine and waiting.number not in only_mine


# --- query counts --------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 60])
def test_the_desk_costs_the_same_queries_for_3_or_60_quotes(
    client, desk, django_assert_max_num_queries, count
):
    for i in range(count):
        QuoteFactory(company=CompanyFactory(), status=["requested", "offered", "rejected"][i % 3])
    client.force_login(desk)

    with django_assert_max_num_queries(9):
        response = client.get(reverse("quotations:desk"))

    assert response.status_code == 200
    assert response.content.decode().count('class="fw-semibold quote-link"') == min(count, 25)


@pytest.mark.parametrize("count", [3, 60])
def test_my_quotes_cost_the_same_queries_for_3_or_60_quotes(
    client, buyer, django_assert_max_num_queries, count
):
    QuoteFactory.create_batch(count, company=buyer.company, requested_by=buyer)
    client.force_login(buyer)

    # 7: one is the unread count of the navigation
    with django_assert_max_num_queries(7):
        response = client.get(reverse("quotations:list"))

    assert response.status_code == 200
    assert response.content.decode().count('class="fw-semibold quote-link"') == min(count, 25)


def test_the_order_list_reads_no_quote_per_row(client, buyer, desk, products):
    for product in products:
        quote = offer(request_quote(buyer, (product, 1)), desk, {product: "1.00"})
        quote = quote_accept(quote_id=quote.pk, actor=buyer, seen_version=quote.version)
        quote_place_order(quote_id=quote.pk, actor=buyer, seen_version=quote.version)
    client.force_login(buyer)

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("orders:list"))

    quote_reads = [q["sql"] for q in queries.captured_queries if "quotations_quote" in q["sql"]]
    # only the navigation's one count of quotes waiting for me, never a read per row
    assert len(quote_reads) == 1 and "COUNT(" in quote_reads[0]


def test_the_navigation_counts_quotes_once_until_one_changes_status(client, buyer, desk, products):
    offer(request_quote(buyer, (products[0], 1)), desk, {products[0]: "1.00"})
    client.force_login(buyer)

    def quote_reads() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as queries:
            body = client.get(reverse("orders:list")).content.decode()
        nav = body[body.index('id="nav-quotes"') :]
        badge = nav[: nav.index("</a>")]
        return sum("quotations_quote" in q["sql"] for q in queries.captured_queries), badge

    first, badge = quote_reads()
    again, _badge = quote_reads()
    offer(request_quote(buyer, (products[1], 1)), desk, {products[1]: "1.00"})
    changed, new_badge = quote_reads()

    assert (first, again, changed) == (1, 0, 1)  # kept in the cache until a status changes
    assert ">1<" in badge and ">2<" in new_badge


def test_a_site_admin_desk_of_a_superuser_needs_no_permission_rows(client, buyer, products):
    admin = StaffFactory(is_superuser=True)
    quote = request_quote(buyer, (products[0], 1))
    client.force_login(admin)

    assert client.get(reverse("quotations:desk")).status_code == 200
    assert client.get(reverse("quotations:detail", args=[quote.number])).status_code == 200


def test_a_contact_of_another_company_does_not_see_my_quote_in_lists(client, buyer, products):
    quote = request_quote(buyer, (products[0], 1))
    stranger = BuyerFactory(company=CompanyFactory())
    client.force_login(stranger)

    assert quote.number not in client.get(reverse("quotations:list")).content.decode()
