import os
from decimal import Decimal

import pytest
from django.core.management import call_command

from approvals.models import ApprovalStep, ApprovalTier, StepApprover
from approvals.selectors import approval_queue_for
from companies.models import ApprovalMode, Company, User
from orders.models import Order, OrderStatus

pytestmark = pytest.mark.django_db


def seed():
    with open(os.devnull, "w") as out:
        call_command("seed_demo", stdout=out)


def test_the_demo_company_has_the_source_examples_tiers_and_full_queues():
    seed()

    acme = Company.objects.get(slug="acme")
    assert acme.approval_mode == ApprovalMode.RESPECTIVE
    assert list(acme.approval_tiers.values_list("approver__email", "minimum")) == [
        ("approver1@acme.example", Decimal("2000.00")),
        ("approver2@acme.example", Decimal("3000.00")),
        ("approver3@acme.example", Decimal("5000.00")),
    ]
    for n in (1, 2, 3):
        approver = User.objects.get(email=f"approver{n}@acme.example")
        queue = list(approval_queue_for(user=approver))
        assert len(queue) >= 2, approver
        assert {s.order.placed_by.email for s in queue} <= {
            "buyer1@acme.example",
            "buyer2@acme.example",
        }
    # the orders that were there before tiers existed still route below every minimum
    assert Order.objects.filter(company=acme, status=OrderStatus.APPROVED).exists()


def test_seeding_the_demo_twice_changes_nothing():
    seed()
    counts = [m.objects.count() for m in (ApprovalTier, ApprovalStep, StepApprover, Order)]

    seed()

    assert [m.objects.count() for m in (ApprovalTier, ApprovalStep, StepApprover, Order)] == counts
