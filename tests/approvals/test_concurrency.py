import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction

from approvals.models import Decision, StepApprover, StepStatus
from approvals.services import (
    approval_company_reroute,
    approval_contacts_deactivate,
    approval_step_decide,
)
from companies.models import Company, User
from core.domain import DomainError, StaleVersion
from orders.models import OrderEventKind, OrderStatus
from orders.services import LineRequest, order_cancel, order_edit
from tests.approvals.factories import ApprovalTierFactory, source_example
from tests.concurrency import backend_pid, run_at_once, waits_for
from tests.factories import StaffFactory


def approve(step, actor, version, comment=""):
    return lambda: approval_step_decide(
        step_id=step.pk,
        actor=actor,
        decision=Decision.APPROVE,
        comment=comment,
        seen_version=version,
    )


def reject(step, actor, version, comment="No"):
    return lambda: approval_step_decide(
        step_id=step.pk,
        actor=actor,
        decision=Decision.REJECT,
        comment=comment,
        seen_version=version,
    )


def errors(outcomes) -> list[DomainError]:
    return [o for o in outcomes if isinstance(o, DomainError)]


@pytest.mark.django_db(transaction=True)
def test_two_approvers_deciding_the_same_step_at_once_yield_one_outcome():
    # given an order waiting for a tier with two approvers
    example = source_example()
    deputy = ApprovalTierFactory(company=example.company, minimum=Decimal("2000.00")).approver
    order = example.place("2500.00")
    step = order.approval_steps.get()

    # when one approves and the other rejects at the same moment, each in its own thread
    outcomes = run_at_once(
        approve(step, example.approver1, order.version),
        reject(step, deputy, order.version, comment="Too much"),
    )

    # then exactly one decision is recorded and the other was told who decided
    [error] = errors(outcomes)
    step.refresh_from_db()
    order.refresh_from_db()
    assert step.decided_by in (example.approver1, deputy)
    assert f"already {step.status} by {step.decided_by.full_name}" in str(error)
    assert order.version == 2
    decisions = order.events.filter(kind__in=[OrderEventKind.APPROVED, OrderEventKind.REJECTED])
    assert decisions.count() == 1
    expected = OrderStatus.APPROVED if step.status == StepStatus.APPROVED else OrderStatus.REJECTED
    assert order.status == expected


@pytest.mark.django_db(transaction=True)
def test_a_double_clicked_approve_records_one_decision():
    example = source_example()
    order = example.place("2500.00")
    step = order.approval_steps.get()

    outcomes = run_at_once(
        approve(step, example.approver1, order.version),
        approve(step, example.approver1, order.version),
    )

    [error] = errors(outcomes)
    assert "You already approved" in str(error)
    order.refresh_from_db()
    assert (order.status, order.version) == (OrderStatus.APPROVED, 2)
    assert order.events.filter(kind=OrderEventKind.APPROVED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_approver_deciding_while_the_buyer_edits_yields_one_outcome():
    # given an order waiting for approver 1, open on both their screens
    example = source_example()
    order = example.place("2500.00")
    step = order.approval_steps.get()
    seen = order.version

    # when the approver approves while the buyer raises it to $3,500
    outcomes = run_at_once(
        approve(step, example.approver1, seen),
        lambda: order_edit(
            order_id=order.pk,
            actor=example.buyer,
            lines=[LineRequest(sku=example.unit.sku, quantity=3500)],
            seen_version=seen,
        ),
    )

    # then one wins; the other is told the order changed, and nothing is half-done
    [error] = errors(outcomes)
    assert isinstance(error, StaleVersion)
    assert "changed while you were looking at it" in str(error)
    order.refresh_from_db()
    step.refresh_from_db()
    assert order.version == seen + 1
    if isinstance(outcomes[1], DomainError):  # the approval won
        assert order.status == OrderStatus.APPROVED
        assert order.total == Decimal("2500.00")
        assert step.status == StepStatus.APPROVED
    else:  # the edit won: the approval never counted, approver 2 decides now
        assert step.status == StepStatus.VOID and step.decided_by is None
        assert order.status == OrderStatus.PENDING_APPROVAL
        assert order.total == Decimal("3500.00")
        current = order.approval_steps.get(status=StepStatus.OPEN)
        assert list(current.approvers.all()) == [example.approver2]
    assert StepApprover.objects.filter(step__order=order, is_open=True).count() == (
        1 if order.status == OrderStatus.PENDING_APPROVAL else 0
    )


@pytest.mark.django_db(transaction=True)
def test_an_approval_racing_a_cancel_yields_one_outcome():
    example = source_example()
    order = example.place("2500.00")
    step = order.approval_steps.get()

    outcomes = run_at_once(
        approve(step, example.approver1, order.version),
        lambda: order_cancel(order_id=order.pk, actor=example.buyer, seen_version=order.version),
    )

    assert len(errors(outcomes)) == 1
    order.refresh_from_db()
    step.refresh_from_db()
    assert order.status in (OrderStatus.APPROVED, OrderStatus.CANCELLED)
    assert step.status == (
        StepStatus.APPROVED if order.status == OrderStatus.APPROVED else StepStatus.CLOSED
    )
    assert order.version == 2


@pytest.mark.django_db(transaction=True)
def test_a_decision_racing_a_tier_change_yields_one_outcome():
    # given an order waiting for approver 1, and a site admin replacing them by a new approver
    example = source_example()
    order = example.place("2500.00")
    step = order.approval_steps.get()
    ApprovalTierFactory(company=example.company, minimum=Decimal("2000.00"))
    example.company.approval_tiers.filter(approver=example.approver1).delete()
    staff = StaffFactory()

    # when approver 1 approves while the admin's re-route runs
    outcomes = run_at_once(
        approve(step, example.approver1, order.version),
        lambda: approval_company_reroute(company_id=example.company.pk, actor=staff),
    )

    # then either the approval came first (and the order is no longer waiting) or the
    # re-route came first (and the approver is told the order changed)
    order.refresh_from_db()
    step.refresh_from_db()
    if isinstance(outcomes[0], DomainError):
        assert isinstance(outcomes[0], StaleVersion)
        assert step.status == StepStatus.VOID
        assert order.status == OrderStatus.PENDING_APPROVAL
        assert order.events.last().kind == OrderEventKind.REROUTED
    else:
        assert outcomes[1] == []
        assert order.status == OrderStatus.APPROVED
        assert step.status == StepStatus.APPROVED
    assert order.version == 2


@pytest.mark.django_db(transaction=True)
def test_an_order_placed_while_the_tiers_change_is_routed_under_the_new_tiers():
    # given a site admin who has deactivated approver 1 and not yet committed
    example = source_example()
    locked, release = threading.Event(), threading.Event()
    admin_session: list[int] = []

    def admin_changes_tiers():
        try:
            with transaction.atomic():
                Company.objects.select_for_update().get(pk=example.company.pk)
                User.objects.filter(pk=example.approver1.pk).update(is_active=False)
                admin_session.append(backend_pid())
                locked.set()
                release.wait(5)
        finally:
            connection.close()

    admin = threading.Thread(target=admin_changes_tiers)
    admin.start()
    locked.wait(5)

    # when a buyer places a $2,500 order at that moment
    placed: list = []

    def buyer_places():
        try:
            placed.append(example.place("2500.00"))
        finally:
            connection.close()

    buyer = threading.Thread(target=buyer_places)
    buyer.start()
    # it waits for the admin's change instead of reading the old tiers
    assert waits_for(admin_session[0])
    assert not placed
    release.set()
    admin.join()
    buyer.join()

    # then the order never waits for the approver who left
    (step,) = placed[0].approval_steps.filter(status=StepStatus.OPEN)
    assert example.approver1 not in step.approvers.all()


@pytest.mark.django_db(transaction=True)
def test_two_orders_at_once_cannot_both_slip_under_the_budget():
    # given a budget of 2,000 and two buyers each placing 1,500 at the same moment
    example = source_example()
    example.company.monthly_budget = Decimal("2000.00")
    example.company.save()

    outcomes = run_at_once(
        lambda: example.place("1500.00"),
        lambda: example.place("1500.00", buyer=example.colleague),
    )

    # then one is approved at once and the other waits for the top tier, over budget
    statuses = sorted(o.status for o in outcomes)
    assert statuses == [OrderStatus.APPROVED, OrderStatus.PENDING_APPROVAL]
    waiting = next(o for o in outcomes if o.status == OrderStatus.PENDING_APPROVAL)
    assert "budget by $1,000.00" in waiting.events.get(kind="placed").comment


@pytest.mark.django_db(transaction=True)
def test_deactivating_an_approver_waits_for_their_company_before_it_holds_them():
    # given a company administrator's change holding the company (as deactivating a
    # colleague does: company, then people), not yet committed
    example = source_example()
    admin = StaffFactory()
    locked, release = threading.Event(), threading.Event()
    holder: list[int] = []

    def company_admin_holds_the_company():
        try:
            with transaction.atomic():
                Company.objects.select_for_update().get(pk=example.company.pk)
                holder.append(backend_pid())
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    def site_admin_deactivates():
        try:
            approval_contacts_deactivate(user_ids=[example.approver1.pk], actor=admin)
        finally:
            connection.close()

    first = threading.Thread(target=company_admin_holds_the_company)
    first.start()
    assert locked.wait(10)

    # when a site admin deactivates approver 1 in Django admin at that moment
    second = threading.Thread(target=site_admin_deactivates)
    second.start()
    try:
        assert waits_for(holder[0])
        # then, while it waits for the company, approver 1's row is free: the company
        # administrator's next lock (the person) goes through instead of deadlocking
        with transaction.atomic():
            User.objects.select_for_update(nowait=True).get(pk=example.approver1.pk)
    finally:
        release.set()
        first.join()
        second.join()
    assert not User.objects.get(pk=example.approver1.pk).is_active
