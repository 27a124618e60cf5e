"""Demo approval tiers for Acme, as in the source example, and orders waiting in each queue."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from companies.models import Company, User
from orders.models import Order, OrderStatus
from orders.selectors import order_spend_this_month
from orders.services import LineRequest, order_place

from .models import LIVE_DELEGATION, ApprovalTier, Decision, Delegation, StepStatus
from .services import approval_step_decide, delegation_plan

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


# Carol, the finance director, is away this week: Bob decides for her.
AWAY = ("approver3@acme.example", "approver2@acme.example", 7)
# An order Alice sent back to Evan with a question.
SENT_BACK = (
    "buyer2@acme.example",
    "MON-3002",
    7,
    "approver1@acme.example",
    "Seven monitors for six desks? Please check the count, or say what the spare is for.",
)
# Globex has a monthly budget, nearly used up: the next big order goes to a site admin.
BUDGET_COMPANY, BUDGET_LEFT = "globex", Decimal("400.00")


def seed_approval_extras(people: dict[str, User]) -> int:
    """A period away in effect, an order waiting for the buyer's changes, a budget near its
    limit; each only when missing. Returns how many it made."""
    made = 0
    approver, delegate, days = people[AWAY[0]], people[AWAY[1]], AWAY[2]
    if not Delegation.objects.filter(approver=approver, status__in=LIVE_DELEGATION).exists():
        start = timezone.now()
        delegation_plan(
            approver=approver,
            delegate=delegate,
            starts_at=start,
            ends_at=start + timedelta(days=days),
            actor=approver,
        )
        made += 1
    email, sku, quantity, asker, question = SENT_BACK
    buyer = people[email]
    if not Order.objects.filter(placed_by=buyer, status=OrderStatus.CHANGES_REQUESTED).exists():
        order = order_place(buyer=buyer, lines=[LineRequest(sku=sku, quantity=quantity)])
        step = order.approval_steps.get(status=StepStatus.OPEN)
        approval_step_decide(
            step_id=step.pk,
            actor=people[asker],
            decision=Decision.REQUEST_CHANGES,
            comment=question,
            seen_version=order.version,
        )
        made += 1
    company = Company.objects.get(slug=BUDGET_COMPANY)
    if company.monthly_budget is None:
        spent = order_spend_this_month(company_id=company.pk)
        company.monthly_budget = spent + BUDGET_LEFT
        company.save(update_fields=["monthly_budget"])
        made += 1
    return made
