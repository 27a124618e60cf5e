"""Tiers and waiting orders for approval tests."""

from dataclasses import dataclass
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from approvals.models import ApprovalStep, ApprovalTier, StepApprover, StepStatus
from approvals.services.steps import queue_changes, site_admin_changes
from companies.models import ApprovalMode, Company, User
from core.tallies import tally_add
from orders.models import Order, OrderStatus
from tests.factories import BuyerFactory, CompanyFactory, OrderFactory, ProductFactory, place_order


class ApprovalTierFactory(DjangoModelFactory):
    class Meta:
        model = ApprovalTier

    company = factory.SubFactory(CompanyFactory)
    approver = factory.SubFactory(BuyerFactory, company=factory.SelfAttribute("..company"))
    minimum = Decimal("2000.00")


@dataclass
class SourceExample:
    """The source article's company: tiers at $2,000 / $3,000 / $5,000 and two buyers."""

    company: Company
    approver1: User
    approver2: User
    approver3: User
    buyer: User
    colleague: User
    unit: object  # a $1.00 product, so a quantity is a total in dollars
    cent: object  # a $0.01 product, for totals with cents

    def place(self, total: Decimal | str, buyer: User | None = None) -> Order:
        """Place an order of exactly ``total`` through the services."""
        total = Decimal(total)
        dollars, cents = int(total), int((total - int(total)) * 100)
        lines = [(self.unit, dollars)] if dollars else []
        if cents:
            lines.append((self.cent, cents))
        return place_order(buyer or self.buyer, *lines)

    @property
    def approvers(self) -> list[User]:
        return [self.approver1, self.approver2, self.approver3]


def source_example(mode: str = ApprovalMode.RESPECTIVE) -> SourceExample:
    company = CompanyFactory(approval_mode=mode)
    approvers = []
    for minimum, label in (("2000.00", "Team lead"), ("3000.00", "Purchasing"), ("5000.00", "CFO")):
        tier = ApprovalTierFactory(company=company, minimum=Decimal(minimum), label=label)
        approvers.append(tier.approver)
    return SourceExample(
        company,
        *approvers,
        buyer=BuyerFactory(company=company),
        colleague=BuyerFactory(company=company),
        unit=ProductFactory(unit_price=Decimal("1.00")),
        cent=ProductFactory(unit_price=Decimal("0.01")),
    )


def waiting_orders(
    count: int, *, approver: User, buyer: User | None = None, site_admin: bool = False
) -> list[Order]:
    """Orders with an open step for ``approver``, written directly, for list and query tests."""
    buyer = buyer or BuyerFactory(company=approver.company)
    orders = OrderFactory.create_batch(
        count,
        company=approver.company,
        placed_by=buyer,
        status=OrderStatus.PENDING_APPROVAL,
        total=Decimal("2500.00"),
    )
    now = timezone.now()
    steps = ApprovalStep.objects.bulk_create(
        ApprovalStep(
            order=order,
            sequence=1,
            minimum=Decimal("2000.00"),
            status=StepStatus.OPEN,
            opened_at=now,
            needs_site_admin=site_admin,
        )
        for order in orders
    )
    links = StepApprover.objects.bulk_create(
        StepApprover(step=step, approver=approver, is_open=True, opened_at=now, amount=order.total)
        for step, order in zip(steps, orders, strict=True)
    )
    # the queue's tally, as the approvals services keep it
    for order, link in zip(orders, links, strict=True):
        tally_add(queue_changes(order=order, links=[(link.approver_id, link.amount)], sign=1))
    tally_add(site_admin_changes(order=orders[0], steps=steps, sign=1) if orders else [])
    return orders
