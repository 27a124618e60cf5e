"""Budgets: an order that takes the month past the company's budget, or the buyer's limit,
goes to the highest tier whatever its total, and says why."""

from decimal import Decimal

import pytest

from approvals.models import ApprovalStep, StepStatus
from orders import routing
from orders.models import MonthlySpend, Order, OrderStatus
from orders.services import order_cancel
from orders.services.spend import spend_month
from tests.approvals.factories import source_example

pytestmark = pytest.mark.django_db


def budget(example, amount):
    example.company.monthly_budget = Decimal(amount)
    example.company.save()


def test_an_order_over_the_budget_goes_to_the_top_tier_with_the_reason():
    # tiers at 2,000 / 3,000 / 5,000; a budget of 2,000 this month, 1,500 spent
    example = source_example()
    budget(example, "2000.00")
    first = example.place("1500.00")
    assert first.status == OrderStatus.APPROVED  # below every tier, within budget

    second = example.place("1750.00")  # below every tier, but 1,250 over the budget

    assert second.status == OrderStatus.PENDING_APPROVAL
    step = ApprovalStep.objects.get(order=second, status=StepStatus.OPEN)
    assert set(step.approvers.all()) == {example.approver3}
    placed = second.events.get(kind="placed")
    assert placed.comment.startswith(f"Over {example.company.name}'s ")
    assert "budget by $1,250.00." in placed.comment


def test_the_buyer_sees_why_before_placing():
    example = source_example()
    budget(example, "1000.00")
    order = Order(company=example.company, placed_by=example.buyer, total=Decimal("1500.00"))

    route = routing.router().plan(order=order)

    assert route.status == OrderStatus.PENDING_APPROVAL
    assert "budget by $500.00" in route.comment


def test_a_buyer_over_their_own_limit_goes_to_the_top_tier():
    example = source_example()
    example.buyer.monthly_limit = Decimal("100.00")
    example.buyer.save()

    order = example.place("150.00")

    assert order.status == OrderStatus.PENDING_APPROVAL
    assert "spending limit by $50.00" in order.events.get(kind="placed").comment
    colleague_order = example.place("150.00", buyer=example.colleague)
    assert colleague_order.status == OrderStatus.APPROVED  # the limit is the buyer's


def test_cancelling_gives_the_budget_back_and_the_running_totals_follow_each_change():
    example = source_example()
    budget(example, "2000.00")
    order = example.place("1500.00")
    company_row = MonthlySpend.objects.get(company=example.company, buyer=None, month=spend_month())
    assert company_row.total == Decimal("1500.00")

    order_cancel(order_id=order.pk, actor=example.buyer, seen_version=order.version)

    company_row.refresh_from_db()
    assert company_row.total == Decimal("0.00")
    assert example.place("1900.00").status == OrderStatus.APPROVED


def test_without_tiers_an_order_over_the_budget_waits_for_a_site_admin():
    example = source_example()
    example.company.approval_tiers.all().delete()
    budget(example, "100.00")

    order = example.place("150.00")

    step = ApprovalStep.objects.get(order=order, status=StepStatus.OPEN)
    assert step.needs_site_admin
