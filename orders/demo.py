"""A few demo orders, placed through the services like a buyer would."""

from companies.models import User
from notifications.models import WebhookEndpoint

from .models import Order
from .notify import ORDER_APPROVED_EVENT, ORDER_CANCELLED_EVENT, ORDER_FULFILLED_EVENT
from .services import HeaderRequest, LineRequest, order_place

# (buyer, lines, PO reference, cost centre): Acme's orders carry Acme's own PO numbers.
ORDERS = [
    (
        "buyer1@acme.example",
        [("PAP-4001", 20), ("PEN-4005", 4), ("CLN-5002", 2)],
        "ACME-PO-24017",
        "ADM-100",
    ),
    ("buyer2@acme.example", [("SAF-6001", 30), ("WAR-7002", 5)], "ACME-PO-24018", "WHS-200"),
    ("buyer@globex.example", [("KIT-8001", 12), ("KEY-3004", 5)], "", ""),
]


def seed_orders(people: dict[str, User]) -> int:
    placed = 0
    for email, lines, reference, cost_centre in ORDERS:
        buyer = people[email]
        if Order.objects.filter(placed_by=buyer).exists():
            continue
        order_place(
            buyer=buyer,
            lines=[LineRequest(sku=s, quantity=q) for s, q in lines],
            header=HeaderRequest(po_reference=reference, cost_centre=cost_centre),
        )
        placed += 1
    return placed


DEMO_ENDPOINT = "ERP (example)"


def seed_webhooks() -> int:
    """A webhook endpoint for order events, switched off until a site admin points it at a
    receiver; how many were created (0 on a re-run)."""
    _, created = WebhookEndpoint.objects.get_or_create(
        name=DEMO_ENDPOINT,
        defaults={
            "url": "http://127.0.0.1:9000/portal-webhooks",
            "is_active": False,
            "events": [ORDER_APPROVED_EVENT, ORDER_CANCELLED_EVENT, ORDER_FULFILLED_EVENT],
        },
    )
    return int(created)
