from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

import orders.services
from core.domain import InvalidInput, InvalidState, NotAllowed, StaleVersion
from core.transitions import successors
from orders import routing
from orders.models import Order, OrderEventKind
from quotations.models import (
    MESSAGE_STATUSES,
    QUOTE_MOVES,
    READY_TO_ORDER,
    WAITING_FOR,
    Quote,
    QuoteEventKind,
    QuoteStatus,
    RevisionKind,
    Side,
)
from quotations.services import (
    OfferedLine,
    QuoteLineRequest,
    quote_accept,
    quote_accept_as_requested,
    quote_edit,
    quote_expire_due,
    quote_offer,
    quote_place_order,
    quote_post_message,
    quote_reject,
    quote_request,
    quote_withdraw,
)
from tests.factories import ProductFactory, StaffFactory
from tests.quotations.factories import offer, request_quote

pytestmark = pytest.mark.django_db


def state(quote: Quote) -> tuple:
    """Everything an action could change, to assert that a refused one changed nothing."""
    quote.refresh_from_db()
    return (
        quote.status,
        quote.version,
        quote.expires_at,
        quote.order_id,
        quote.last_activity_at,
        list(
            quote.lines.order_by("id").values_list(
                "product_id", "quantity", "target_unit_price", "offered_unit_price"
            )
        ),
        quote.revisions.count(),
        quote.messages.count(),
        quote.events.count(),
        Order.objects.count(),
    )


def lines_of(quote: Quote) -> list[tuple]:
    return list(
        quote.lines.order_by("id").values_list(
            "product__sku", "quantity", "target_unit_price", "offered_unit_price"
        )
    )


# --- the whole negotiation ------------------------------------------------------------


def test_a_full_negotiation_ends_in_an_order_at_the_agreed_prices(
    buyer, desk, products, monkeypatch
):
    chair, desk_product, lamp = products  # catalog 10.00, 25.50, 100.00
    routed = []
    router = routing.router()
    real_open = router.open

    def open_spy(*, order, route, actor):
        routed.append((order.pk, order.total, actor))
        return real_open(order=order, route=route, actor=actor)

    monkeypatch.setattr(router, "open", open_spy)

    # the buyer asks for three products, one with a target price
    quote = request_quote(
        buyer, (chair, 100, "8.00"), (desk_product, 10), (lamp, 5), message="Bulk for a new site."
    )
    assert (quote.status, quote.waiting_for) == (QuoteStatus.REQUESTED, Side.SELLER)

    # the desk offers prices, with a message
    quote = offer(
        quote,
        desk,
        {chair: "9.00", desk_product: "24.00", lamp: "95.00"},
        message="Best we can do at these volumes.",
    )
    assert (quote.status, quote.waiting_for) == (QuoteStatus.OFFERED, Side.BUYER)

    # the buyer counters: more chairs, a target for the lamps
    quote = quote_edit(
        quote_id=quote.pk,
        actor=buyer,
        lines=[
            QuoteLineRequest(sku=chair.sku, quantity=150, target_unit_price=Decimal("8.50")),
            QuoteLineRequest(sku=desk_product.sku, quantity=10),
            QuoteLineRequest(sku=lamp.sku, quantity=5, target_unit_price=Decimal("90.00")),
        ],
        seen_version=quote.version,
        message="150 chairs if you meet us at 8.50.",
    )
    assert quote.status == QuoteStatus.REQUESTED

    # the desk offers again; the buyer accepts and orders in one click
    quote = offer(quote, desk, {chair: "8.60", desk_product: "24.00", lamp: "92.00"})
    quote = quote_accept(quote_id=quote.pk, actor=buyer, seen_version=quote.version)
    quote = quote_place_order(quote_id=quote.pk, actor=buyer, seen_version=quote.version)

    quote.refresh_from_db()
    order = quote.order
    assert quote.status == QuoteStatus.ORDERED
    assert order.quote == quote
    # 150 * 8.60 + 10 * 24.00 + 5 * 92.00 = 1290 + 240 + 460
    assert order.total == Decimal("1990.00")
    assert [
        (line.product, line.quantity, line.unit_price, line.line_total)
        for line in order.lines.order_by("id")
    ] == [
        (chair, 150, Decimal("8.60"), Decimal("1290.00")),
        (desk_product, 10, Decimal("24.00"), Decimal("240.00")),
        (lamp, 5, Decimal("92.00"), Decimal("460.00")),
    ]
    # routed for approval like any order, by the buyer who placed it
    assert routed == [(order.pk, Decimal("1990.00"), buyer)]
    assert order.placed_by == buyer
    assert order.events.first().kind == OrderEventKind.PLACED
    # the story is kept: four revisions, both sides' messages, every move
    assert [(r.number, r.kind) for r in quote.revisions.all()] == [
        (1, RevisionKind.REQUESTED),
        (2, RevisionKind.OFFERED),
        (3, RevisionKind.COUNTERED),
        (4, RevisionKind.OFFERED),
    ]
    assert [m.body for m in quote.messages.all()] == [
        "Bulk for a new site.",
        "Best we can do at these volumes.",
        "150 chairs if you meet us at 8.50.",
    ]
    assert [e.kind for e in quote.events.all()] == [
        QuoteEventKind.REQUESTED,
        QuoteEventKind.OFFERED,
        QuoteEventKind.EDITED,
        QuoteEventKind.OFFERED,
        QuoteEventKind.ACCEPTED,
        QuoteEventKind.ORDERED,
    ]


def test_an_order_from_a_quote_keeps_catalog_prices_untouched(buyer, desk, products):
    quote = request_quote(buyer, (products[0], 10))
    quote = offer(quote, desk, {products[0]: "7.00"})
    quote = quote_accept(quote_id=quote.pk, actor=buyer, seen_version=quote.version)
    quote_place_order(quote_id=quote.pk, actor=buyer, seen_version=quote.version)

    products[0].refresh_from_db()
    assert products[0].unit_price == Decimal("10.00")


# --- requesting -----------------------------------------------------------------------


def test_a_request_stores_lines_and_revision_one_with_a_snapshot(buyer, products):
    quote = request_quote(buyer, (products[0], 3, "9.50"), (products[1], 2))

    assert quote.number == f"Q-{quote.pk:06d}"
    assert quote.company == buyer.company
    assert quote.requested_by == buyer
    assert lines_of(quote) == [
        (products[0].sku, 3, Decimal("9.50"), None),
        (products[1].sku, 2, None, None),
    ]
    revision = quote.revisions.get()
    assert (revision.number, revision.kind, revision.author) == (1, RevisionKind.REQUESTED, buyer)
    assert revision.lines == [
        {
            "sku": products[0].sku,
            "name": products[0].name,
            "quantity": 3,
            "catalog_unit_price": "10.00",
            "target_unit_price": "9.50",
            "offered_unit_price": None,
        },
        {
            "sku": products[1].sku,
            "name": products[1].name,
            "quantity": 2,
            "catalog_unit_price": "25.50",
            "target_unit_price": None,
            "offered_unit_price": None,
        },
    ]


def test_totals_are_decimal_from_catalog_and_target_prices(buyer, products):
    quote = request_quote(buyer, (products[0], 3, "9.50"), (products[1], 2))
    quote = Quote.objects.prefetch_related("lines__product").get(pk=quote.pk)

    assert quote.catalog_total == Decimal("81.00")  # 3*10.00 + 2*25.50
    assert quote.requested_total == Decimal("79.50")  # 3*9.50 + 2*25.50
    assert quote.offered_total is None


def test_the_same_product_twice_becomes_one_line(buyer, products):
    quote = quote_request(
        buyer=buyer,
        lines=[
            QuoteLineRequest(sku=products[0].sku, quantity=2),
            QuoteLineRequest(sku=products[0].sku.lower(), quantity=5, target_unit_price=Decimal(9)),
        ],
    )

    assert lines_of(quote) == [(products[0].sku, 7, Decimal("9.00"), None)]


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([], "Add at least one product"),
        ([("P0", 0, None)], "whole number from 1 to 100,000"),
        ([("P0", -4, None)], "whole number from 1 to 100,000"),
        ([("P0", 100_001, None)], "whole number from 1 to 100,000"),
        ([("P0", 60_000, None), ("P0", 50_000, None)], "at most 100,000 in all"),
        ([("P0", 1, "-0.01")], "cannot be negative"),
        ([("P0", 1, "1000000.01")], "at most 1,000,000.00"),
        ([("P0", 1, "1.001")], "two decimal places"),
        ([("P0", 1, "NaN")], "Enter a price"),
        ([("P0", 1, "5.00"), ("P0", 1, "6.00")], "two different target prices"),
        ([("NOPE-1", 1, None)], "No product has the SKU NOPE-1"),
        ([("RETIRED", 1, None)], "RETIRED is no longer sold"),
    ],
)
def test_a_bad_request_is_refused_and_creates_nothing(buyer, products, lines, message):
    retired = ProductFactory(sku="RETIRED", is_active=False)
    skus = {"P0": products[0].sku, "RETIRED": retired.sku}

    with pytest.raises(InvalidInput) as exc:
        quote_request(
            buyer=buyer,
            lines=[
                QuoteLineRequest(
                    sku=skus.get(sku, sku),
                    quantity=qty,
                    target_unit_price=Decimal(target) if target else None,
                )
                for sku, qty, target in lines
            ],
            message="Hello",
        )

    text = str(exc.value) + " ".join(m for ms in exc.value.errors.values() for m in ms)
    assert message in text
    assert not Quote.objects.exists()


@pytest.mark.parametrize("body", ["x" * 5_001, "x" * 20_000, "nul \x00 byte"])
def test_a_request_with_an_unstorable_message_creates_nothing(buyer, products, body):
    with pytest.raises(InvalidInput):
        request_quote(buyer, (products[0], 1), message=body)

    assert not Quote.objects.exists()


def test_a_request_may_come_without_a_message_from_the_order_form(buyer, products):
    quote = quote_request(
        buyer=buyer, lines=[orders.services.LineRequest(sku=products[0].sku, quantity=4)]
    )

    assert lines_of(quote) == [(products[0].sku, 4, None, None)]
    assert not quote.messages.exists()


def test_only_active_contacts_of_active_companies_ask_for_quotes(buyer, desk, staff, products):
    with pytest.raises(NotAllowed):
        request_quote(desk, (products[0], 1))
    buyer.company.is_active = False
    buyer.company.save()
    with pytest.raises(NotAllowed):
        request_quote(buyer, (products[0], 1))

    assert not Quote.objects.exists()


# --- offers, counters, acceptance ------------------------------------------------------


def test_an_offer_sets_prices_quantities_and_expiry_and_bumps_the_version(buyer, desk, products):
    quote = request_quote(buyer, (products[0], 10), (products[1], 4))

    quote = offer(
        quote,
        desk,
        {products[0]: "9.00", products[1]: "0"},
        quantities={products[0]: 12},
        days=7,
    )

    quote.refresh_from_db()
    assert quote.version == 2
    assert timezone.now() + timedelta(days=6) < quote.expires_at
    assert lines_of(quote) == [
        (products[0].sku, 12, None, Decimal("9.00")),
        (products[1].sku, 4, None, Decimal("0.00")),
    ]
    revision = quote.revisions.last()
    assert (revision.number, revision.kind, revision.author) == (2, RevisionKind.OFFERED, desk)
    changes = revision.changes_since(quote.revisions.first())
    assert changes[0]["fields"] == ["quantity", "offered_unit_price"]
    assert (changes[0]["old"]["quantity"], changes[0]["new"]["quantity"]) == (10, 12)


def test_the_desk_may_revise_its_offer_before_the_buyer_answers(buyer, desk, products):
    quote = offer(request_quote(buyer, (products[0], 10)), desk, {products[0]: "9.00"})

    quote = offer(quote, desk, {products[0]: "8.75"})

    assert quote.status == QuoteStatus.OFFERED
    assert lines_of(quote)[0][3] == Decimal("8.75")
    assert quote.revisions.count() == 3


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"price": Decimal("-1")}, "cannot be negative"),
        ({"price": Decimal("1000000.01")}, "at most 1,000,000.00"),
        ({"price": Decimal("1.005")}, "two decimal places"),
        ({"quantity": 0}, "whole number from 1 to 100,000"),
        ({"quantity": 100_001}, "whole number from 1 to 100,000"),
        ({"drop_line": True}, "every line"),
        ({"extra_line": True}, "every line"),
        ({"expires_in": timedelta(hours=-1)}, "in the future"),
        ({"expires_in": None}, "needs an expiry"),
        ({"expires_in": timedelta(days=400)}, "at most a year"),
        ({"price": Decimal("1000000"), "quantity": 100_000}, "worth at most"),
    ],
)
def test_a_bad_offer_is_refused_and_changes_nothing(buyer, desk, products, change, message):
    quote = request_quote(buyer, (products[0], 10), (products[1], 4))
    before = state(quote)
    lines = [
        OfferedLine(line_id=line.pk, unit_price=Decimal("5.00"))
        for line in quote.lines.order_by("id")
    ]
    lines[0] = OfferedLine(
        line_id=lines[0].line_id,
        unit_price=change.get("price", Decimal("5.00")),
        quantity=change.get("quantity"),
    )
    if change.get("drop_line"):
        lines = lines[:1]
    if change.get("extra_line"):
        lines.append(OfferedLine(line_id=999_999, unit_price=Decimal("1.00")))
    expires_in = change.get("expires_in", timedelta(days=14))

    with pytest.raises(InvalidInput) as exc:
        quote_offer(
            quote_id=quote.pk,
            actor=desk,
            lines=lines,
            expires_at=None if expires_in is None else timezone.now() + expires_in,
            seen_version=quote.version,
        )

    text = str(exc.value) + " ".join(m for ms in exc.value.errors.values() for m in ms)
    assert message in text
    assert state(quote) == before


def test_editing_an_offer_is_a_counter_proposal_that_drops_the_offer(buyer, desk, products):
    quote = offer(request_quote(buyer, (products[0], 10)), desk, {products[0]: "9.00"})

    quote = quote_edit(
        quote_id=quote.pk,
        actor=buyer,
        lines=[QuoteLineRequest(sku=products[0].sku, quantity=20, target_unit_price=Decimal(8))],
        seen_version=quote.version,
    )

    quote.refresh_from_db()
    assert (quote.status, quote.expires_at, quote.waiting_for) == (
        QuoteStatus.REQUESTED,
        None,
        Side.SELLER,
    )
    assert lines_of(quote) == [(products[0].sku, 20, Decimal("8.00"), None)]
    assert quote.revisions.last().kind == RevisionKind.COUNTERED
    event = quote.events.last()
    assert (event.kind, event.from_status, event.to_status) == (
        QuoteEventKind.EDITED,
        QuoteStatus.OFFERED,
        QuoteStatus.REQUESTED,
    )


def test_only_the_person_who_asked_acts_on_a_quote_and_colleagues_write_on_it(
    buyer, colleague, other_company_buyer, desk, products
):
    quote = offer(request_quote(buyer, (products[0], 10)), desk, {products[0]: "9.00"})
    before = state(quote)

    for actor in (colleague, other_company_buyer, desk):
        with pytest.raises(NotAllowed):
            quote_accept(quote_id=quote.pk, actor=actor, seen_version=quote.version)
        with pytest.raises(NotAllowed):
            quote_withdraw(quote_id=quote.pk, actor=actor, seen_version=quote.version)
        with pytest.raises(NotAllowed):
            quote_edit(
                quote_id=quote.pk,
                actor=actor,
                lines=[QuoteLineRequest(sku=products[1].sku, quantity=1)],
                seen_version=quote.version,
            )
    with pytest.raises(NotAllowed):
        quote_post_message(quote_id=quote.pk, actor=other_company_buyer, body="Hi")
    assert state(quote) == before

    quote_post_message(quote_id=quote.pk, actor=colleague, body="Can we have it by May?")
    accepted = quote_accept(quote_id=quote.pk, actor=buyer, seen_version=quote.version)
    assert accepted.status == QuoteStatus.ACCEPTED


def test_only_the_desk_offers_rejects_or_accepts_as_requested(buyer, bare_staff, products):
    quote = request_quote(buyer, (products[0], 10))
    before = state(quote)
    line = quote.lines.get()

    for actor in (buyer, bare_staff):  # staff without the desk permission
        with pytest.raises(NotAllowed):
            quote_offer(
                quote_id=quote.pk,
                actor=actor,
                lines=[OfferedLine(line_id=line.pk, unit_price=Decimal("1.00"))],
                expires_at=timezone.now() + timedelta(days=3),
                seen_version=quote.version,
            )
        with pytest.raises(NotAllowed):
            quote_reject(quote_id=quote.pk, actor=actor, seen_version=1, reason="No")
        with pytest.raises(NotAllowed):
            quote_accept_as_requested(quote_id=quote.pk, actor=actor, seen_version=1)
    with pytest.raises(NotAllowed):
        quote_post_message(quote_id=quote.pk, actor=bare_staff, body="Hi")

    assert state(quote) == before


def test_a_superuser_is_on_the_desk(buyer, products):
    admin = StaffFactory(is_superuser=True)
    quote = request_quote(buyer, (products[0], 10))

    quote = quote_reject(quote_id=quote.pk, actor=admin, seen_version=1, reason="Not stocked.")

    assert quote.status == QuoteStatus.REJECTED


def test_accepting_as_requested_agrees_to_targets_or_catalog_prices(buyer, desk, products):
    quote = request_quote(buyer, (products[0], 10, "8.00"), (products[1], 2))

    quote = quote_accept_as_requested(
        quote_id=quote.pk, actor=desk, seen_version=quote.version, message="Agreed."
    )

    assert quote.status == QuoteStatus.ACCEPTED
    assert lines_of(quote) == [
        (products[0].sku, 10, Decimal("8.00"), Decimal("8.00")),
        (products[1].sku, 2, None, Decimal("25.50")),
    ]
    assert quote.revisions.last().kind == RevisionKind.ACCEPTED_AS_REQUESTED
    quote = quote_place_order(quote_id=quote.pk, actor=buyer, seen_version=quote.version)
    assert quote.order.total == Decimal("131.00")


def test_rejecting_needs_a_reason_and_records_it(buyer, desk, products):
    quote = request_quote(buyer, (products[0], 10))
    before = state(quote)

    for reason in ("", "   ", "x" * 20_000):
        with pytest.raises(InvalidInput):
            quote_reject(quote_id=quote.pk, actor=desk, seen_version=1, reason=reason)
    assert state(quote) == before

    quote = quote_reject(quote_id=quote.pk, actor=desk, seen_version=1, reason="Discontinued.")
    event = quote.events.last()
    assert (quote.status, event.kind, event.actor, event.comment) == (
        QuoteStatus.REJECTED,
        QuoteEventKind.REJECTED,
        desk,
        "Discontinued.",
    )


def test_withdrawing_keeps_the_quote(buyer, desk, products):
    quote = offer(request_quote(buyer, (products[0], 10)), desk, {products[0]: "9.00"})

    quote = quote_withdraw(
        quote_id=quote.pk, actor=buyer, seen_version=quote.version, comment="Found elsewhere"
    )

    quote.refresh_from_db()
    assert quote.status == QuoteStatus.WITHDRAWN
    assert quote.lines.count() == 1
    assert quote.events.last().comment == "Found elsewhere"


# --- refusals that change nothing ------------------------------------------------------


def _closed(kind: str, buyer, desk, products) -> Quote:
    quote = request_quote(buyer, (products[0], 10))
    if kind == QuoteStatus.WITHDRAWN:
        return quote_withdraw(quote_id=quote.pk, actor=buyer, seen_version=quote.version)
    if kind == QuoteStatus.REJECTED:
        return quote_reject(quote_id=quote.pk, actor=desk, seen_version=quote.version, reason="No")
    quote = offer(quote, desk, {products[0]: "9.00"})
    if kind == QuoteStatus.EXPIRED:
        quote_expire_due(now=timezone.now() + timedelta(days=30))
        quote.refresh_from_db()
        return quote
    quote = quote_accept(quote_id=quote.pk, actor=buyer, seen_version=quote.version)
    return quote_place_order(quote_id=quote.pk, actor=buyer, seen_version=quote.version)


def _act(action: str, quote: Quote, buyer, desk, products):
    version = quote.version
    line_ids = list(quote.lines.values_list("pk", flat=True))
    calls = {
        "edit": lambda: quote_edit(
            quote_id=quote.pk,
            actor=buyer,
            lines=[QuoteLineRequest(sku=products[1].sku, quantity=1)],
            seen_version=version,
        ),
        "withdraw": lambda: quote_withdraw(quote_id=quote.pk, actor=buyer, seen_version=version),
        "accept": lambda: quote_accept(quote_id=quote.pk, actor=buyer, seen_version=version),
        "place_order": lambda: quote_place_order(
            quote_id=quote.pk, actor=buyer, seen_version=version
        ),
        "offer": lambda: quote_offer(
            quote_id=quote.pk,
            actor=desk,
            lines=[OfferedLine(line_id=pk, unit_price=Decimal("1.00")) for pk in line_ids],
            expires_at=timezone.now() + timedelta(days=3),
            seen_version=version,
        ),
        "accept_as_requested": lambda: quote_accept_as_requested(
            quote_id=quote.pk, actor=desk, seen_version=version
        ),
        "reject": lambda: quote_reject(
            quote_id=quote.pk, actor=desk, seen_version=version, reason="No"
        ),
        "message": lambda: quote_post_message(quote_id=quote.pk, actor=buyer, body="Still there?"),
    }
    return calls[action]()


@pytest.mark.parametrize(
    "closed",
    [QuoteStatus.WITHDRAWN, QuoteStatus.REJECTED, QuoteStatus.EXPIRED, QuoteStatus.ORDERED],
)
@pytest.mark.parametrize("action", [*QUOTE_MOVES.keys() - {"request", "expire"}, "message"])
def test_nothing_can_be_done_to_a_closed_quote(buyer, desk, products, closed, action):
    quote = _closed(closed, buyer, desk, products)
    assert quote.status == closed
    before = state(quote)

    with pytest.raises(InvalidState) as exc:
        _act(action, quote, buyer, desk, products)

    assert quote.number in str(exc.value)
    assert state(quote) == before


def test_accepting_twice_is_refused_the_second_time(buyer, desk, products):
    quote = offer(request_quote(buyer, (products[0], 10)), desk, {products[0]: "9.00"})
    quote = quote_accept(quote_id=quote.pk, actor=buyer, seen_version=quote.version)
    before = state(quote)

    with pytest.raises(InvalidState, match="already accepted"):
        quote_accept(quote_id=quote.pk, actor=buyer, seen_version=quote.version)

    assert state(quote) == before


def test_placing_the_order_twice_makes_one_order(buyer, desk, products):
    quote = offer(request_quote(buyer, (products[0], 10)), desk, {products[0]: "9.00"})
    quote = quote_accept(quote_id=quote.pk, actor=buyer, seen_version=quote.version)
    quote = quote_place_order(quote_id=quote.pk, actor=buyer, seen_version=quote.version)
    before = state(quote)

    with pytest.raises(InvalidState, match="already ordered"):
        quote_place_order(quote_id=quote.pk, actor=buyer, seen_version=quote.version)

    assert state(quote) == before
    assert Order.objects.count() == 1


def test_an_order_needs_an_accepted_quote(buyer, desk, products):
    quote = offer(request_quote(buyer, (products[0], 10)), desk, {products[0]: "9.00"})
    before = state(quote)

    with pytest.raises(InvalidState):
        quote_place_order(quote_id=quote.pk, actor=buyer, seen_version=quote.version)
    with pytest.raises(InvalidState):
        quote_accept(
            quote_id=request_quote(buyer, (products[1], 1)).pk, actor=buyer, seen_version=1
        )

    assert state(quote) == before


def test_an_order_from_a_quote_of_an_inactive_company_is_refused(buyer, desk, products):
    quote = offer(request_quote(buyer, (products[0], 10)), desk, {products[0]: "9.00"})
    quote = quote_accept(quote_id=quote.pk, actor=buyer, seen_version=quote.version)
    buyer.company.is_active = False
    buyer.company.save()
    before = state(quote)

    with pytest.raises(NotAllowed):
        quote_place_order(quote_id=quote.pk, actor=buyer, seen_version=quote.version)

    assert state(quote) == before


@pytest.mark.parametrize(
    "action", ["edit", "withdraw", "accept", "offer", "reject", "accept_as_requested"]
)
def test_acting_on_a_version_you_did_not_see_changes_nothing(buyer, desk, products, action):
    quote = request_quote(buyer, (products[0], 10))
    if action in ("accept",):
        quote = offer(quote, desk, {products[0]: "9.00"})
    quote.refresh_from_db()
    before = state(quote)
    quote.version -= 1

    with pytest.raises(StaleVersion, match="changed while you were looking at it"):
        _act(action, quote, buyer, desk, products)

    assert state(Quote.objects.get(pk=quote.pk)) == before


@pytest.mark.parametrize("body", ["", "   \n ", "x" * 5_001, "x" * 20_000])
def test_an_empty_or_overlong_message_is_refused(buyer, products, body):
    quote = request_quote(buyer, (products[0], 10))
    before = state(quote)

    with pytest.raises(InvalidInput):
        quote_post_message(quote_id=quote.pk, actor=buyer, body=body)

    assert state(quote) == before


def test_messages_go_both_ways_without_changing_the_version(buyer, desk, products):
    quote = request_quote(buyer, (products[0], 10), message="First")
    before = Quote.objects.get(pk=quote.pk).last_activity_at

    for i in range(3):
        quote_post_message(quote_id=quote.pk, actor=desk, body=f"Seller {i}")
        quote_post_message(quote_id=quote.pk, actor=buyer, body=f"Buyer {i}")

    quote.refresh_from_db()
    assert quote.version == 1
    assert quote.last_activity_at > before
    assert [(m.author, m.body) for m in quote.messages.all()][-2:] == [
        (desk, "Seller 2"),
        (buyer, "Buyer 2"),
    ]


# --- expiry ----------------------------------------------------------------------------


def test_an_offer_past_its_expiry_cannot_be_accepted(buyer, desk, products):
    quote = offer(request_quote(buyer, (products[0], 10)), desk, {products[0]: "9.00"}, days=2)
    before = state(quote)

    with pytest.raises(InvalidState, match="expired on .* can no longer be accepted"):
        quote_accept(
            quote_id=quote.pk,
            actor=buyer,
            seen_version=quote.version,
            now=timezone.now() + timedelta(days=3),
        )

    assert state(quote) == before


def test_the_expiry_sweep_expires_due_offers_once(buyer, desk, products):
    due = offer(request_quote(buyer, (products[0], 1)), desk, {products[0]: "9.00"}, days=1)
    later = offer(request_quote(buyer, (products[1], 1)), desk, {products[1]: "9.00"}, days=10)
    waiting = request_quote(buyer, (products[2], 1))
    in_two_days = timezone.now() + timedelta(days=2)

    assert quote_expire_due(now=in_two_days) == 1
    assert quote_expire_due(now=in_two_days) == 0

    statuses = {q.pk: q.status for q in Quote.objects.all()}
    assert statuses == {
        due.pk: QuoteStatus.EXPIRED,
        later.pk: QuoteStatus.OFFERED,
        waiting.pk: QuoteStatus.REQUESTED,
    }
    event = due.events.last()
    assert (event.kind, event.actor, event.from_status) == (
        QuoteEventKind.EXPIRED,
        None,
        QuoteStatus.OFFERED,
    )
    assert due.events.filter(kind=QuoteEventKind.EXPIRED).count() == 1


def test_a_counter_after_the_expiry_asks_for_a_new_offer(buyer, desk, products):
    quote = offer(request_quote(buyer, (products[0], 1)), desk, {products[0]: "9.00"}, days=1)
    Quote.objects.filter(pk=quote.pk).update(expires_at=timezone.now() - timedelta(hours=1))

    quote = quote_edit(
        quote_id=quote.pk,
        actor=buyer,
        lines=[QuoteLineRequest(sku=products[0].sku, quantity=2)],
        seen_version=quote.version,
    )

    assert quote.status == QuoteStatus.REQUESTED
    assert quote_expire_due() == 0


# --- the moves table and the notification hooks --------------------------------------


def test_the_moves_table_covers_every_status_and_ends_in_final_states():
    moves = successors(QUOTE_MOVES, QuoteStatus.values)
    final = {status for status, targets in moves.items() if not targets}
    assert final == {
        QuoteStatus.ORDERED,
        QuoteStatus.REJECTED,
        QuoteStatus.WITHDRAWN,
        QuoteStatus.EXPIRED,
    }
    assert moves[QuoteStatus.REQUESTED] == {
        QuoteStatus.REQUESTED,
        QuoteStatus.OFFERED,
        QuoteStatus.ACCEPTED,
        QuoteStatus.REJECTED,
        QuoteStatus.WITHDRAWN,
    }
    assert moves[QuoteStatus.OFFERED] == {
        QuoteStatus.REQUESTED,
        QuoteStatus.OFFERED,
        QuoteStatus.ACCEPTED,
        QuoteStatus.REJECTED,
        QuoteStatus.WITHDRAWN,
        QuoteStatus.EXPIRED,
    }
    assert moves[QuoteStatus.ACCEPTED] == {QuoteStatus.ORDERED}
    for move in QUOTE_MOVES.values():
        assert len(move.who) == 1 and move.who <= set(Side.values)  # one side each
        assert move.sources and not move.sources & final
    # whose answer it waits for, or ready to order: only while the deal is alive, and the
    # thread is open exactly then; an accepted quote waits for nobody's answer
    assert set(WAITING_FOR) | {READY_TO_ORDER} == set(MESSAGE_STATUSES)
    assert READY_TO_ORDER not in WAITING_FOR
    assert WAITING_FOR[QuoteStatus.REQUESTED] == Side.SELLER
    assert WAITING_FOR[QuoteStatus.OFFERED] == Side.BUYER


def test_every_move_calls_its_notification_hook_inside_the_transaction(
    buyer, desk, products, monkeypatch
):
    from quotations import notify

    calls = []
    for name in (
        "quote_requested",
        "quote_edited",
        "quote_withdrawn",
        "quote_message_posted",
        "quote_offered",
        "quote_accepted",
        "quote_rejected",
        "quote_expired",
    ):
        monkeypatch.setattr(
            notify,
            name,
            lambda _name=name, **kw: calls.append((_name, connection.in_atomic_block, kw)),
        )

    quote = request_quote(buyer, (products[0], 1))
    quote = offer(quote, desk, {products[0]: "9.00"}, days=1)
    quote_post_message(quote_id=quote.pk, actor=buyer, body="Hmm")
    quote = quote_edit(
        quote_id=quote.pk,
        actor=buyer,
        lines=[QuoteLineRequest(sku=products[0].sku, quantity=2)],
        seen_version=quote.version,
    )
    quote = offer(quote, desk, {products[0]: "9.00"}, days=1)
    quote_expire_due(now=timezone.now() + timedelta(days=2))
    second = request_quote(buyer, (products[1], 1))
    quote_reject(quote_id=second.pk, actor=desk, seen_version=1, reason="No stock")
    third = offer(request_quote(buyer, (products[2], 1)), desk, {products[2]: "1.00"})
    quote_accept(quote_id=third.pk, actor=buyer, seen_version=third.version)
    fourth = request_quote(buyer, (products[2], 1))
    quote_withdraw(quote_id=fourth.pk, actor=buyer, seen_version=1)

    assert [name for name, _atomic, _kw in calls] == [
        "quote_requested",
        "quote_offered",
        "quote_message_posted",
        "quote_edited",
        "quote_offered",
        "quote_expired",
        "quote_requested",
        "quote_rejected",
        "quote_requested",
        "quote_offered",
        "quote_accepted",
        "quote_requested",
        "quote_withdrawn",
    ]
    assert all(atomic for _name, atomic, _kw in calls)
    assert calls[2][2]["message"].body == "Hmm"
    assert calls[7][2]["reason"] == "No stock"


def test_an_inactive_product_in_an_accepted_quote_still_orders_at_the_agreed_price(
    buyer, desk, products
):
    quote = offer(request_quote(buyer, (products[0], 2)), desk, {products[0]: "9.00"})
    quote = quote_accept(quote_id=quote.pk, actor=buyer, seen_version=quote.version)
    products[0].is_active = False
    products[0].save()

    quote = quote_place_order(quote_id=quote.pk, actor=buyer, seen_version=quote.version)

    assert quote.order.total == Decimal("18.00")


def test_another_companys_buyer_cannot_place_an_order_from_my_quote(
    buyer, desk, products, other_company_buyer
):
    quote = offer(request_quote(buyer, (products[0], 2)), desk, {products[0]: "9.00"})
    quote = quote_accept(quote_id=quote.pk, actor=buyer, seen_version=quote.version)
    before = state(quote)

    with pytest.raises(NotAllowed):
        quote_place_order(quote_id=quote.pk, actor=other_company_buyer, seen_version=quote.version)
    with pytest.raises(NotAllowed):
        quote_place_order(quote_id=quote.pk, actor=desk, seen_version=quote.version)

    assert state(quote) == before


def test_accepting_as_requested_a_price_beyond_the_offer_limit_is_a_clear_error(buyer, desk):
    costly = ProductFactory(unit_price=Decimal("1500000.00"))
    quote = request_quote(buyer, (costly, 1))

    with pytest.raises(InvalidInput, match="Offer prices line by line"):
        quote_accept_as_requested(quote_id=quote.pk, actor=desk, seen_version=quote.version)

    quote.refresh_from_db()
    assert quote.status == "requested"
    assert quote.lines.get().offered_unit_price is None
