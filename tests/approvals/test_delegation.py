"""Approvers away: a delegate decides for them during the period, and only then."""

from datetime import timedelta

import pytest
from django.utils import timezone

from approvals.models import (
    CLOCK,
    DELEGATION_MOVES,
    OWNER,
    SITE_ADMIN,
    ApprovalStep,
    Decision,
    Delegation,
    DelegationStatus,
    StepApprover,
)
from approvals.notify import ORDER_WAITING
from approvals.selectors import approval_queue_for
from approvals.services import (
    approval_step_decide,
    delegation_cancel,
    delegation_plan,
    delegations_apply,
)
from core.domain import InvalidInput, InvalidState, NotAllowed
from core.transitions import successors
from notifications.models import Notification
from orders.models import OrderStatus
from tests.approvals.factories import source_example
from tests.factories import BuyerFactory, StaffFactory

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def away(example, delegate, *, starts_in=timedelta(0), days=3):
    now = timezone.now()
    return delegation_plan(
        approver=example.approver1,
        delegate=delegate,
        starts_at=now + starts_in,
        ends_at=now + starts_in + days * DAY,
        actor=example.approver1,
    )


def test_a_delegate_decides_the_orders_already_waiting_and_the_history_names_both():
    example = source_example()
    order = example.place("2500.00")  # waits for approver 1
    deputy = BuyerFactory(company=example.company)

    away(example, deputy)

    rows = list(approval_queue_for(user=deputy))
    assert [r.order_id for r in rows] == [order.pk]
    assert rows[0].on_behalf_of_name == example.approver1.full_name
    assert Notification.objects.filter(
        kind=ORDER_WAITING, recipient=deputy, reference=order.number
    ).exists()
    order.refresh_from_db()
    decided = approval_step_decide(
        step_id=rows[0].pk,
        actor=deputy,
        decision=Decision.APPROVE,
        comment="",
        seen_version=order.version,
    )
    assert decided.status == OrderStatus.APPROVED
    step = ApprovalStep.objects.get(pk=rows[0].pk)
    assert (step.decided_by, step.decided_for) == (deputy, example.approver1)
    event = decided.events.last()
    assert (event.actor, event.on_behalf_of) == (deputy, example.approver1)


def test_orders_routed_during_the_period_wait_for_the_delegate_too():
    example = source_example()
    deputy = BuyerFactory(company=example.company)
    away(example, deputy)

    order = example.place("2500.00")

    step = ApprovalStep.objects.get(order=order)
    assert set(step.approvers.all()) == {example.approver1, deputy}
    assert approval_queue_for(user=deputy).get().order_id == order.pk


def test_when_the_period_ends_undecided_steps_go_back_to_the_approver_alone():
    example = source_example()
    order = example.place("2500.00")
    deputy = BuyerFactory(company=example.company)
    delegation = away(example, deputy, days=1)

    started, ended = delegations_apply(now=timezone.now() + 2 * DAY)

    assert (started, ended) == (0, 1)
    delegation.refresh_from_db()
    assert delegation.status == DelegationStatus.ENDED
    assert not approval_queue_for(user=deputy).exists()
    assert approval_queue_for(user=example.approver1).get().order_id == order.pk


def test_a_period_in_the_future_starts_with_the_clock():
    example = source_example()
    order = example.place("2500.00")
    deputy = BuyerFactory(company=example.company)
    delegation = away(example, deputy, starts_in=2 * DAY)
    assert not approval_queue_for(user=deputy).exists()

    delegations_apply(now=timezone.now() + 3 * DAY)

    delegation.refresh_from_db()
    assert delegation.status == DelegationStatus.ACTIVE
    assert approval_queue_for(user=deputy).get().order_id == order.pk


def test_delegation_does_not_chain_and_nobody_decides_their_own_order():
    example = source_example()
    deputy = BuyerFactory(company=example.company)
    away(example, deputy)  # approver 1 -> deputy
    delegation_plan(  # and the deputy away too: approver 1's orders do not pass on
        approver=deputy,
        delegate=example.colleague,
        starts_at=timezone.now(),
        ends_at=timezone.now() + DAY,
        actor=deputy,
    )
    example.place("2500.00")
    own = example.place("2500.00", buyer=deputy)  # the deputy's own order

    step = ApprovalStep.objects.get(order=own)
    assert deputy not in step.approvers.all()
    assert not StepApprover.objects.filter(approver=example.colleague).exists()


@pytest.mark.parametrize("who", ["self", "stranger"])
def test_a_delegate_must_be_an_active_colleague(who):
    example = source_example()
    delegate = example.approver1 if who == "self" else BuyerFactory()

    with pytest.raises(InvalidInput):
        away(example, delegate)

    assert not Delegation.objects.exists()


def test_only_the_approver_or_a_site_admin_plans_or_cancels():
    example = source_example()
    deputy = BuyerFactory(company=example.company)
    with pytest.raises(NotAllowed):
        delegation_plan(
            approver=example.approver1,
            delegate=deputy,
            starts_at=timezone.now(),
            ends_at=timezone.now() + DAY,
            actor=example.colleague,
        )
    delegation = away(example, deputy)
    with pytest.raises(NotAllowed):
        delegation_cancel(delegation_id=delegation.pk, actor=deputy)

    delegation_cancel(delegation_id=delegation.pk, actor=example.approver1)

    delegation.refresh_from_db()
    assert delegation.status == DelegationStatus.CANCELLED


def test_the_delegation_moves_table_covers_every_status():
    moves = successors(DELEGATION_MOVES, DelegationStatus.values)

    assert moves == {
        DelegationStatus.SCHEDULED: {DelegationStatus.ACTIVE, DelegationStatus.CANCELLED},
        DelegationStatus.ACTIVE: {DelegationStatus.ENDED, DelegationStatus.CANCELLED},
        DelegationStatus.ENDED: set(),
        DelegationStatus.CANCELLED: set(),
    }
    # the approver (or a site admin for them) plans and cancels; the clock starts and ends
    assert {a: m.who for a, m in DELEGATION_MOVES.items()} == {
        "plan": {OWNER, SITE_ADMIN},
        "start": {CLOCK},
        "end": {CLOCK},
        "cancel": {OWNER, SITE_ADMIN},
    }


def in_status(example, status: str) -> Delegation:
    delegation = away(example, example.approver2, starts_in=DAY)
    Delegation.objects.filter(pk=delegation.pk).update(status=status)  # a given, not a move
    delegation.refresh_from_db()
    return delegation


@pytest.mark.parametrize("status", DelegationStatus.values)
def test_cancelling_moves_a_period_in_every_status_as_the_table_says(status):
    example = source_example()
    delegation = in_status(example, status)

    if status in DELEGATION_MOVES["cancel"].sources:
        delegation_cancel(delegation_id=delegation.pk, actor=example.approver1)
        assert Delegation.objects.get(pk=delegation.pk).status == DelegationStatus.CANCELLED
    else:
        with pytest.raises(InvalidState):
            delegation_cancel(delegation_id=delegation.pk, actor=example.approver1)
        assert Delegation.objects.get(pk=delegation.pk).status == status


@pytest.mark.parametrize("status", DelegationStatus.values)
def test_the_clock_starts_and_ends_periods_only_from_the_statuses_the_table_says(status):
    example = source_example()
    delegation = in_status(example, status)
    now = timezone.now()
    rows = Delegation.objects.filter(pk=delegation.pk)

    # due to start: only a scheduled period starts
    rows.update(starts_at=now - 2 * DAY, ends_at=now + DAY)
    starts = status in DELEGATION_MOVES["start"].sources
    assert delegations_apply(now=now) == (int(starts), 0)
    after_start = rows.get().status
    assert after_start == (DelegationStatus.ACTIVE if starts else status)

    # due to end as well: only a period in effect ends
    ends = after_start in DELEGATION_MOVES["end"].sources
    assert delegations_apply(now=now + 2 * DAY) == (0, int(ends))
    assert rows.get().status == (DelegationStatus.ENDED if ends else after_start)


def test_a_site_admin_with_the_groups_permissions_plans_and_cancels_for_an_approver():
    example = source_example()
    admin = StaffFactory()
    now = timezone.now()

    delegation = delegation_plan(
        approver=example.approver1,
        delegate=example.approver2,
        starts_at=now + DAY,
        ends_at=now + 2 * DAY,
        actor=admin,
    )
    delegation_cancel(delegation_id=delegation.pk, actor=admin)

    assert Delegation.objects.get(pk=delegation.pk).status == DelegationStatus.CANCELLED


def test_a_period_planned_in_django_admin_that_ends_too_soon_is_refused_on_its_end():
    from approvals.admin import DelegationForm

    example = source_example()
    now = timezone.localtime()
    form = DelegationForm(
        {
            "approver": example.approver1.pk,
            "delegate": example.approver2.pk,
            "starts_at": (now + 2 * DAY).strftime("%Y-%m-%d %H:%M"),
            "ends_at": (now + DAY).strftime("%Y-%m-%d %H:%M"),
        }
    )
    form.actor = example.approver1

    assert not form.is_valid()
    assert form.errors["ends_at"] == ["The period must end after it starts, and after now."]
    assert not Delegation.objects.exists()
