"""A few demo quotes in different states, negotiated through the services."""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from companies.models import User

from .models import Quote, QuoteMessage
from .services import (
    OfferedLine,
    QuoteLineRequest,
    quote_accept,
    quote_edit,
    quote_offer,
    quote_place_order,
    quote_post_message,
    quote_reject,
    quote_request,
)

STAFF = "admin@portal.example"


@dataclass(frozen=True)
class DemoQuote:
    buyer: str
    lines: list[tuple[str, int, str | None]]
    opening: str
    # each step: ("offer", prices by SKU, message) | ("message", side, text)
    #            ("counter", lines, message) | ("accept",) | ("order",) | ("reject", reason)
    steps: list[tuple] = field(default_factory=list)


QUOTES = [
    DemoQuote(
        "buyer2@acme.example",
        [("CHR-1001", 12, "310.00"), ("DSK-2001", 12, "560.00"), ("MON-3002", 12, None)],
        "We are furnishing a new office for 12 people. Could you do a better price on "
        "chairs, desks and monitors as a bundle? Delivery in about six weeks.",
    ),
    DemoQuote(
        "buyer1@acme.example",
        [("SAF-6001", 200, "8.50"), ("SAF-6002", 20, None)],
        "Quarterly restock for the warehouse: can you quote 200 boxes of gloves and 20 packs "
        "of vests?",
        [
            (
                "offer",
                {"SAF-6001": "8.90", "SAF-6002": "31.00"},
                "We can do 8.90 a box at 200 boxes, and vests at 31.00. Valid for two weeks.",
            ),
            ("message", "buyer", "Thanks, I am checking with finance and will come back to you."),
        ],
    ),
    DemoQuote(
        "buyer@globex.example",
        [("KIT-8002", 2, "1700.00"), ("KIT-8001", 50, None)],
        "Two coffee machines for our new sites, with a starting stock of beans.",
        [
            (
                "offer",
                {"KIT-8002": "1750.00", "KIT-8001": "19.90"},
                "1,750 each for the machines including installation; beans at 19.90.",
            ),
            ("message", "buyer", "Installation included is good. We accept."),
            ("accept",),
        ],
    ),
    DemoQuote(
        "buyer1@acme.example",
        [("PAP-4001", 100, "21.00"), ("TON-3007", 10, None)],
        "Annual paper and toner contract: 100 boxes of A4 and 10 toners.",
        [
            (
                "offer",
                {"PAP-4001": "22.50", "TON-3007": "95.00"},
                "22.50 a box is our best for 100 boxes; toner at 95.00.",
            ),
            (
                "counter",
                [("PAP-4001", 120, "21.50"), ("TON-3007", 10, None)],
                "We can take 120 boxes if you meet us at 21.50.",
            ),
            (
                "offer",
                {"PAP-4001": "21.90", "TON-3007": "95.00"},
                "Deal at 21.90 for 120 boxes.",
            ),
            ("accept",),
            ("order",),
        ],
    ),
    DemoQuote(
        "buyer2@acme.example",
        [("WAR-7003", 1, "200.00")],
        "One hand pallet truck, could you do 200?",
        [("reject", "That is below our cost; the catalog price is the best we can do.")],
    ),
]


def _lines(rows) -> list[QuoteLineRequest]:
    return [
        QuoteLineRequest(sku=sku, quantity=qty, target_unit_price=Decimal(t) if t else None)
        for sku, qty, t in rows
    ]


def _play(quote: Quote, step: tuple, buyer: User, staff: User) -> Quote:
    action = step[0]
    if action == "offer":
        prices = {sku: Decimal(price) for sku, price in step[1].items()}
        return quote_offer(
            quote_id=quote.pk,
            actor=staff,
            lines=[
                OfferedLine(line_id=line.pk, unit_price=prices[line.product.sku])
                for line in quote.lines.select_related("product")
            ],
            expires_at=timezone.now() + timedelta(days=14),
            seen_version=quote.version,
            message=step[2],
        )
    if action == "message":
        author = buyer if step[1] == "buyer" else staff
        quote_post_message(quote_id=quote.pk, actor=author, body=step[2])
        return quote
    if action == "counter":
        return quote_edit(
            quote_id=quote.pk,
            actor=buyer,
            lines=_lines(step[1]),
            seen_version=quote.version,
            message=step[2],
        )
    if action == "accept":
        return quote_accept(quote_id=quote.pk, actor=buyer, seen_version=quote.version)
    if action == "order":
        return quote_place_order(quote_id=quote.pk, actor=buyer, seen_version=quote.version)
    if action == "reject":
        return quote_reject(
            quote_id=quote.pk, actor=staff, seen_version=quote.version, reason=step[1]
        )
    raise ValueError(action)


def seed_quotes(people: dict[str, User]) -> int:
    """Create the demo quotes that are missing; each is known by its opening message."""
    staff = people[STAFF]
    created = 0
    for demo in QUOTES:
        buyer = people[demo.buyer]
        if QuoteMessage.objects.filter(quote__requested_by=buyer, body=demo.opening).exists():
            continue
        quote = quote_request(buyer=buyer, lines=_lines(demo.lines), message=demo.opening)
        for step in demo.steps:
            quote = _play(quote, step, buyer, staff)
        created += 1
    return created
