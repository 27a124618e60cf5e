from decimal import Decimal

import pytest

from approvals.models import STEP_MOVES, ApprovalStep, Decision, StepApprover, StepStatus
from approvals.services import approval_step_decide, approval_steps_bulk_approve
from companies.models import ApprovalMode
from core.domain import InvalidInput, InvalidState, NotAllowed, StaleVersion
from core.transitions import successors
from orders.models import OrderEvent, OrderEventKind, OrderStatus
from orders.services import LineRequest, order_cancel, order_edit
from tests.approvals.factories import ApprovalTierFactory, source_example
from tests.factories import BuyerFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hooks(monkeypatch):
    calls = {"waiting": [], "decided": [], "left": []}
    monkeypatch.setattr(
        "approvals.notify.order_waiting_for_approval", lambda **kw: calls["waiting"].append(kw)
    )
    monkeypatch.setattr("orders.notify.order_decided", lambda **kw: calls["decided"].append(kw))
    monkeypatch.setattr("orders.notify.order_left_queue", lambda **kw: calls["left"].append(kw))
    return calls


def open_step(order) -> ApprovalStep:
    return order.approval_steps.get(status=StepStatus.OPEN)


def decide(step, actor, *, decision=Decision.APPROVE, comment="", version=None):
    return approval_step_decide(
        step_id=step.pk,
        actor=actor,
        decision=decision,
        comment=comment,
        seen_version=step.order.version if version is None else version,
    )


def snapshot(order):
    """What a refused decision must leave as it was."""
    order.refresh_from_db()
    return (
        order.status,
        order.version,
        order.events.count(),
        list(order.approval_steps.values_list("pk", "status", "decided_by", "comment")),
        list(StepApprover.objects.filter(step__order=order).values_list("pk", "is_open")),
    )


def test_the_approver_approves_and_the_order_is_approved(hooks):
    example = source_example()
    order = example.place("2500.00")
    step = open_step(order)

    decided = decide(step, example.approver1, comment="Fine for Q3")

    step.refresh_from_db()
    assert decided.status == OrderStatus.APPROVED
    assert decided.version == order.version + 1
    assert (step.status, step.decided_by, step.comment) == (
        StepStatus.APPROVED,
        example.approver1,
        "Fine for Q3",
    )
    assert step.decided_at is not None
    assert not StepApprover.objects.filter(step=step, is_open=True).exists()
    event = decided.events.last()
    assert (event.kind, event.actor, event.from_status, event.to_status, event.comment) == (
        OrderEventKind.APPROVED,
        example.approver1,
        OrderStatus.PENDING_APPROVAL,
        OrderStatus.APPROVED,
        "Fine for Q3",
    )
    assert [(kw["approved"], kw["actor"], kw["comment"]) for kw in hooks["decided"]] == [
        (True, example.approver1, "Fine for Q3")
    ]


def test_auto_approval_is_not_announced_as_a_decision(hooks):
    example = source_example()

    example.place("1500.00")

    assert hooks["decided"] == [] and hooks["waiting"] == []


def test_a_rejection_needs_a_comment_and_changes_nothing_without_one():
    example = source_example()
    order = example.place("2500.00")
    before = snapshot(order)

    with pytest.raises(InvalidInput):
        decide(open_step(order), example.approver1, decision=Decision.REJECT, comment="   ")

    assert snapshot(order) == before


def test_a_rejection_ends_the_order_and_closes_the_rest_of_a_chain(hooks):
    example = source_example(ApprovalMode.ESCALATING)
    order = example.place("6000.00")

    rejected = decide(
        open_step(order), example.approver1, decision=Decision.REJECT, comment="Over budget"
    )

    assert rejected.status == OrderStatus.REJECTED
    assert list(order.approval_steps.order_by("sequence").values_list("status", flat=True)) == [
        StepStatus.REJECTED,
        StepStatus.CLOSED,
        StepStatus.CLOSED,
    ]
    event = rejected.events.last()
    assert (event.kind, event.comment) == (OrderEventKind.REJECTED, "Over budget")
    assert [(kw["approved"], kw["comment"]) for kw in hooks["decided"]] == [(False, "Over budget")]
    assert not StepApprover.objects.filter(is_open=True).exists()


def test_a_chain_opens_each_step_when_the_previous_one_is_approved(hooks):
    example = source_example(ApprovalMode.ESCALATING)
    order = example.place("6000.00")
    steps = list(order.approval_steps.order_by("sequence"))

    for i, approver in enumerate(example.approvers):
        step = steps[i]
        step.refresh_from_db()
        assert step.status == StepStatus.OPEN
        later = ApprovalStep.objects.filter(pk__in=[s.pk for s in steps[i + 1 :]])
        assert [s.status for s in later] == [StepStatus.WAITING] * (2 - i)
        order = decide(step, approver)

    assert order.status == OrderStatus.APPROVED
    assert [e.kind for e in order.events.all()] == [
        OrderEventKind.PLACED,
        OrderEventKind.STEP_APPROVED,
        OrderEventKind.STEP_APPROVED,
        OrderEventKind.APPROVED,
    ]
    assert order.version == 4
    assert [kw["step"].pk for kw in hooks["waiting"]] == [s.pk for s in steps]
    assert len(hooks["decided"]) == 1


def test_the_next_approver_of_a_chain_cannot_decide_before_their_turn():
    example = source_example(ApprovalMode.ESCALATING)
    order = example.place("6000.00")
    later = order.approval_steps.get(sequence=2)
    before = snapshot(order)

    with pytest.raises(InvalidState, match="earlier step"):
        decide(later, example.approver2)

    assert snapshot(order) == before


def test_either_approver_of_a_shared_minimum_decides_for_the_tier():
    example = source_example()
    deputy = ApprovalTierFactory(company=example.company, minimum=Decimal("2000.00")).approver
    order = example.place("2500.00")

    decided = decide(open_step(order), deputy)

    assert decided.status == OrderStatus.APPROVED
    assert order.approval_steps.get().decided_by == deputy


def test_a_decision_on_a_page_seen_before_a_change_is_refused():
    example = source_example()
    order = example.place("2500.00")
    step = open_step(order)
    before = snapshot(order)

    with pytest.raises(StaleVersion, match="changed while you were looking at it"):
        decide(step, example.approver1, version=order.version - 1 or 99)

    assert snapshot(order) == before


def test_a_second_decision_is_told_who_decided_first():
    example = source_example()
    deputy = ApprovalTierFactory(company=example.company, minimum=Decimal("2000.00")).approver
    order = example.place("2500.00")
    step = open_step(order)
    seen = order.version
    decide(step, example.approver1, version=seen)
    before = snapshot(order)

    with pytest.raises(InvalidState, match=f"already approved by {example.approver1.full_name}"):
        decide(step, deputy, version=seen)
    with pytest.raises(InvalidState, match="You already approved"):
        decide(step, example.approver1, version=seen)

    assert snapshot(order) == before


def test_a_decision_on_a_step_voided_by_an_edit_is_refused_as_stale():
    example = source_example()
    order = example.place("2500.00")
    step = open_step(order)
    seen = order.version
    order_edit(
        order_id=order.pk,
        actor=example.buyer,
        lines=[LineRequest(sku=example.unit.sku, quantity=2600)],
        seen_version=seen,
    )
    order.refresh_from_db()
    before = snapshot(order)

    with pytest.raises(StaleVersion):
        decide(step, example.approver1, version=seen)

    assert snapshot(order) == before


@pytest.mark.parametrize(
    "who",
    ["buyer", "colleague", "approver2", "approver3", "other_company", "staff", "inactive"],
)
def test_only_an_eligible_approver_of_the_open_step_decides(who):
    example = source_example()
    order = example.place("2500.00")  # waits for approver 1
    inactive = example.approver1
    people = {
        "buyer": example.buyer,
        "colleague": example.colleague,
        "approver2": example.approver2,
        "approver3": example.approver3,
        "other_company": source_example().approver1,
        "staff": StaffFactory(),
        "inactive": inactive,
    }
    actor = people[who]
    if who == "inactive":
        actor.is_active = False
        actor.save()
    before = snapshot(order)

    for decision in (Decision.APPROVE, Decision.REJECT):
        with pytest.raises(NotAllowed, match="not waiting for you"):
            decide(
                open_step(order),
                actor,
                decision=decision,
                comment="no",
            )

    assert snapshot(order) == before


def test_an_unknown_step_is_refused_like_someone_elses():
    example = source_example()

    with pytest.raises(NotAllowed, match="not waiting for you"):
        approval_step_decide(
            step_id=987654,
            actor=example.approver1,
            decision=Decision.APPROVE,
            comment="",
            seen_version=1,
        )


def test_a_site_admin_decides_a_step_routed_to_site_admins_and_nobody_else_does():
    example = source_example()
    order = example.place("6000.00", buyer=example.approver3)
    step = open_step(order)
    before = snapshot(order)

    for actor in (example.approver1, example.approver2, example.approver3, example.buyer):
        with pytest.raises(NotAllowed):
            decide(step, actor)
    assert snapshot(order) == before

    staff = StaffFactory()
    decided = decide(step, staff, comment="Checked with finance")

    assert decided.status == OrderStatus.APPROVED
    assert order.approval_steps.get().decided_by == staff


def test_bulk_approval_records_each_order_and_reports_each_failure():
    # given three orders waiting for approver 1, one of them changed since the page loaded
    example = source_example()
    orders = [example.place(total) for total in ("2100.00", "2200.00", "2300.00")]
    steps = [open_step(o) for o in orders]
    stale = orders[1]
    stranger = source_example()
    foreign = open_step(stranger.place("2500.00"))

    # when approver 1 approves all three plus a step of another company
    results = approval_steps_bulk_approve(
        actor=example.approver1,
        items=[(s.pk, s.order.version) for s in steps][:1]
        + [(steps[1].pk, stale.version + 5), (steps[2].pk, orders[2].version)]
        + [(foreign.pk, foreign.order.version)],
        comment="Monthly batch",
    )

    # then the two good ones are approved, each with its own event, and the others say why
    assert [r.ok for r in results] == [True, False, True, False]
    assert "changed while you were looking at it" in results[1].error
    assert results[3].denied and "not waiting for you" in results[3].error
    for order in orders:
        order.refresh_from_db()
    assert [o.status for o in orders] == [
        OrderStatus.APPROVED,
        OrderStatus.PENDING_APPROVAL,
        OrderStatus.APPROVED,
    ]
    approvals = OrderEvent.objects.filter(kind=OrderEventKind.APPROVED, comment="Monthly batch")
    assert approvals.count() == 2
    foreign.refresh_from_db()
    assert foreign.status == StepStatus.OPEN


def test_bulk_approval_decides_a_step_posted_twice_once():
    example = source_example()
    order = example.place("2500.00")
    step = open_step(order)

    results = approval_steps_bulk_approve(
        actor=example.approver1, items=[(step.pk, order.version), (step.pk, order.version)]
    )

    assert len(results) == 1 and results[0].ok
    assert order.events.filter(kind=OrderEventKind.APPROVED).count() == 1


def test_the_step_moves_table_covers_every_status():
    moves = successors(STEP_MOVES, StepStatus.values)
    final = {s for s, targets in moves.items() if not targets}
    assert final == {StepStatus.REJECTED, StepStatus.VOID}
    for targets in moves.values():
        assert targets <= set(StepStatus.values)
    # an edit voids every step not yet final; a cancel closes every undecided one
    assert {s for s, t in moves.items() if StepStatus.VOID in t} == {
        StepStatus.WAITING,
        StepStatus.OPEN,
        StepStatus.APPROVED,
        StepStatus.RETURNED,  # sent back for changes, then changed
        StepStatus.CLOSED,
    }
    assert {s for s, t in moves.items() if StepStatus.CLOSED in t} == {
        StepStatus.WAITING,
        StepStatus.OPEN,
    }
    assert {s for s, t in moves.items() if StepStatus.APPROVED in t} == {StepStatus.OPEN}


def test_a_buyer_who_is_also_an_approver_decides_colleagues_orders():
    example = source_example()
    order = example.place("2500.00", buyer=BuyerFactory(company=example.company))

    decided = decide(open_step(order), example.approver1)

    assert decided.status == OrderStatus.APPROVED
    mine = example.place("2500.00", buyer=example.approver1)
    assert example.approver1 not in open_step(mine).approvers.all()


def test_an_order_sent_back_for_changes_is_routed_again_when_the_buyer_changes_it():
    example = source_example()
    order = example.place("2500.00")
    sent_back = decide(
        open_step(order), example.approver1, decision=Decision.REQUEST_CHANGES, comment="Less."
    )
    assert sent_back.status == OrderStatus.CHANGES_REQUESTED

    changed = order_edit(
        order_id=order.pk,
        actor=example.buyer,
        lines=[LineRequest(sku=example.unit.sku, quantity=2200)],
        seen_version=sent_back.version,
    )

    assert changed.status == OrderStatus.PENDING_APPROVAL
    assert open_step(changed).sequence == 1
    earlier = changed.approval_steps.get(status=StepStatus.VOID, decided_by=example.approver1)
    assert earlier.comment == "Less."


def test_an_order_sent_back_for_changes_may_be_cancelled_and_not_decided():
    example = source_example()
    order = example.place("2500.00")
    step = open_step(order)
    sent_back = decide(step, example.approver1, decision=Decision.REQUEST_CHANGES, comment="?")

    with pytest.raises(InvalidState):
        decide(step, example.approver1, version=sent_back.version)
    cancelled = order_cancel(order_id=order.pk, actor=example.buyer, seen_version=sent_back.version)

    assert cancelled.status == OrderStatus.CANCELLED
