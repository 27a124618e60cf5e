"""Demo approval tiers for Acme, as in the source example, and orders waiting in each queue."""

from decimal import Decimal

from companies.models import Company, User
from orders.models import Order
from orders.services import LineRequest, order_place

from .models import ApprovalTier

# (approver, minimum, label): respective mode, Acme's default.
TIERS = [
    ("approver1@acme.example", "2000.00", "Team lead"),
    ("approver2@acme.example", "3000.00", "Head of purchasing"),
    ("approver3@acme.example", "5000.00", "Finance director"),
]

# (buyer, SKU, quantity): two orders in each approver's queue.
WAITING_ORDERS = [
    ("buyer1@acme.example", "CHR-1001", 6),  # $2,100.00 -> approver 1
    ("buyer2@acme.example", "DSK-2001", 4),  # $2,480.00 -> approver 1
    ("buyer2@acme.example", "CHR-1001", 10),  # $3,500.00 -> approver 2
    ("buyer1@acme.example", "LAP-3001", 3),  # $3,450.00 -> approver 2
    ("buyer1@acme.example", "KIT-8002", 3),  # $5,670.00 -> approver 3
    ("buyer2@acme.example", "DSK-2001", 10),  # $6,200.00 -> approver 3
]


def seed_tiers(people: dict[str, User]) -> int:
    """Acme's three tiers; must run before any Acme order is placed."""
    acme = Company.objects.get(slug="acme")
    created = 0
    for email, minimum, label in TIERS:
        _, was_created = ApprovalTier.objects.get_or_create(
            company=acme,
            approver=people[email],
            minimum=Decimal(minimum),
            defaults={"label": label},
        )
        created += was_created
    return created


def seed_waiting_orders(people: dict[str, User]) -> int:
    """Orders placed by Acme's buyers through the services, so routing puts them in queues."""
    placed = 0
    for email, sku, quantity in WAITING_ORDERS:
        buyer = people[email]
        if Order.objects.filter(
            placed_by=buyer, lines__product__sku=sku, lines__quantity=quantity
        ).exists():
            continue
        order_place(buyer=buyer, lines=[LineRequest(sku=sku, quantity=quantity)])
        placed += 1
    return placed
