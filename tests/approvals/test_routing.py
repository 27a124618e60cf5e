from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from approvals.models import ApprovalStep, StepApprover, StepStatus
from approvals.services.routing import Tier, TierApprover, route_plan
from companies.models import ApprovalMode
from notifications.services.webhooks import webhook_endpoints
from orders.models import OrderEventKind, OrderStatus
from orders.services import LineRequest, order_cancel, order_edit, order_place
from tests.approvals.factories import ApprovalTierFactory, source_example
from tests.factories import BuyerFactory, ProductFactory, place_order

pytestmark = pytest.mark.django_db


def open_step(order):
    return order.approval_steps.get(status=StepStatus.OPEN)


def deciders(step) -> set:
    return set(step.approvers.all())


def route(example, order) -> list[tuple[str, set]]:
    """The order's current steps as (status, approvers) in sequence."""
    return [
        (step.status, deciders(step))
        for step in order.approval_steps.exclude(status=StepStatus.VOID).order_by("sequence")
    ]


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        ("1500.00", None),
        ("1999.99", None),
        ("2000.00", "approver1"),  # a minimum is inclusive
        ("2500.00", "approver1"),
        ("2999.99", "approver1"),
        ("3000.00", "approver2"),
        ("3500.00", "approver2"),
        ("4999.99", "approver2"),
        ("5000.00", "approver3"),
        ("6000.00", "approver3"),
    ],
)
def test_the_source_example_routes_to_the_respective_approver(total, expected):
    example = source_example(ApprovalMode.RESPECTIVE)

    order = example.place(total)

    assert order.total == Decimal(total)
    if expected is None:
        assert order.status == OrderStatus.APPROVED
        assert not order.approval_steps.exists()
    else:
        assert order.status == OrderStatus.PENDING_APPROVAL
        assert route(example, order) == [(StepStatus.OPEN, {getattr(example, expected)})]


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        ("1500.00", []),
        ("2000.00", ["approver1"]),
        ("2500.00", ["approver1"]),
        ("3500.00", ["approver1", "approver2"]),
        ("5000.00", ["approver1", "approver2", "approver3"]),
        ("6000.00", ["approver1", "approver2", "approver3"]),
    ],
)
def test_the_source_example_escalates_lowest_first(total, expected):
    example = source_example(ApprovalMode.ESCALATING)

    order = example.place(total)

    steps = route(example, order)
    assert [who for _status, who in steps] == [{getattr(example, name)} for name in expected]
    assert [status for status, _who in steps] == (
        [StepStatus.OPEN] + [StepStatus.WAITING] * (len(expected) - 1) if expected else []
    )
    assert order.status == (OrderStatus.PENDING_APPROVAL if expected else OrderStatus.APPROVED)


def test_steps_snapshot_the_tier_minimum_label_and_approvers():
    example = source_example()

    order = example.place("3500.00")

    step = open_step(order)
    assert (step.sequence, step.minimum, step.label, step.needs_site_admin) == (
        1,
        Decimal("3000.00"),
        "Purchasing",
        False,
    )
    assert step.opened_at is not None
    assert StepApprover.objects.get(step=step).is_open


def test_an_order_below_every_minimum_says_it_needed_no_approval():
    example = source_example()

    order = example.place("1500.00")

    event = order.events.get()
    assert (event.kind, event.to_status) == (OrderEventKind.PLACED, OrderStatus.APPROVED)
    assert "No approval needed" in event.comment


def test_a_routed_order_says_who_it_waits_for():
    example = source_example()

    order = example.place("2500.00")

    event = order.events.get()
    assert event.to_status == OrderStatus.PENDING_APPROVAL
    assert example.approver1.full_name in event.comment


def test_any_approver_sharing_a_minimum_may_decide():
    example = source_example()
    deputy = ApprovalTierFactory(
        company=example.company, minimum=Decimal("2000.00"), label="Deputy"
    ).approver

    order = example.place("2500.00")

    assert deciders(open_step(order)) == {example.approver1, deputy}


def test_an_approver_of_the_tier_never_decides_their_own_order_the_others_do():
    example = source_example()
    deputy = ApprovalTierFactory(company=example.company, minimum=Decimal("2000.00")).approver

    order = example.place("2500.00", buyer=example.approver1)

    step = open_step(order)
    assert deciders(step) == {deputy}
    assert "the others decide" in step.note


def test_the_only_approver_of_a_tier_goes_up_to_the_next_tier():
    example = source_example()

    order = example.place("2500.00", buyer=example.approver1)

    step = open_step(order)
    assert deciders(step) == {example.approver2}
    assert step.minimum == Decimal("2000.00")  # the tier the total reached
    assert "next tier up" in step.note


def test_the_top_approver_ordering_for_themself_goes_to_site_admins():
    example = source_example()

    order = example.place("6000.00", buyer=example.approver3)

    step = open_step(order)
    assert step.needs_site_admin
    assert not step.approvers.exists()
    assert "site admin" in order.events.get().comment


def test_in_a_chain_the_buyers_own_tier_folds_into_the_next_one():
    example = source_example(ApprovalMode.ESCALATING)

    order = example.place("6000.00", buyer=example.approver1)

    assert route(example, order) == [
        (StepStatus.OPEN, {example.approver2}),
        (StepStatus.WAITING, {example.approver3}),
    ]


def test_in_a_chain_the_middle_approver_is_skipped_upwards():
    example = source_example(ApprovalMode.ESCALATING)

    order = example.place("3500.00", buyer=example.approver2)

    assert route(example, order) == [
        (StepStatus.OPEN, {example.approver1}),
        (StepStatus.WAITING, {example.approver3}),
    ]


def test_in_a_chain_the_top_approvers_own_order_ends_with_a_site_admin():
    example = source_example(ApprovalMode.ESCALATING)

    order = example.place("6000.00", buyer=example.approver3)

    steps = list(order.approval_steps.order_by("sequence"))
    assert [deciders(s) for s in steps[:2]] == [{example.approver1}, {example.approver2}]
    assert steps[2].needs_site_admin


def test_an_inactive_approver_does_not_decide_and_the_minimum_still_holds():
    example = source_example()
    example.approver1.is_active = False
    example.approver1.save()

    order = example.place("2500.00")

    # the $2,000 tier still applies: with nobody left in it, the next tier up decides
    assert order.status == OrderStatus.PENDING_APPROVAL
    assert deciders(open_step(order)) == {example.approver2}


def test_an_approver_moved_to_another_company_no_longer_decides():
    example = source_example()
    example.approver2.company = BuyerFactory().company
    example.approver2.save()

    order = example.place("3500.00")

    assert deciders(open_step(order)) == {example.approver3}


def test_companies_without_tiers_approve_at_once(buyer, products):
    order = place_order(buyer, (products[2], 100))

    assert order.status == OrderStatus.APPROVED
    assert not ApprovalStep.objects.exists()


def test_the_route_plan_is_the_same_pure_rule():
    a, b, c = (TierApprover(id=i, name=f"A{i}") for i in (1, 2, 3))
    tiers = [
        Tier(Decimal("2000"), "", (a,)),
        Tier(Decimal("3000"), "", (b,)),
        Tier(Decimal("5000"), "", (c,)),
    ]

    def who(total, mode=ApprovalMode.RESPECTIVE, buyer_id=None):
        plan = route_plan(total=Decimal(total), buyer_id=buyer_id, mode=mode, tiers=tiers)
        return [[x.id for x in step.approvers] for step in plan]

    assert who("1999.99") == []
    assert who("2000") == [[1]]
    assert who("6000") == [[3]]
    assert who("6000", ApprovalMode.ESCALATING) == [[1], [2], [3]]
    assert who("6000", buyer_id=3) == [[]]  # site admins
    assert who("6000", ApprovalMode.ESCALATING, buyer_id=2) == [[1], [3]]


def test_editing_a_waiting_order_voids_its_steps_and_routes_it_again(monkeypatch):
    example = source_example()
    left, opened = [], []
    monkeypatch.setattr(
        "orders.notify.order_left_queue", lambda **kw: left.append(kw), raising=True
    )
    monkeypatch.setattr(
        "approvals.notify.order_waiting_for_approval", lambda **kw: opened.append(kw)
    )
    order = example.place("2500.00")
    first = open_step(order)

    edited = order_edit(
        order_id=order.pk,
        actor=example.buyer,
        lines=[LineRequest(sku=example.unit.sku, quantity=3500)],
        seen_version=order.version,
    )

    first.refresh_from_db()
    assert first.status == StepStatus.VOID
    assert not StepApprover.objects.filter(step=first, is_open=True).exists()
    assert edited.status == OrderStatus.PENDING_APPROVAL
    assert deciders(open_step(edited)) == {example.approver2}
    assert [(kw["reason"], list(kw["approvers"])) for kw in left] == [
        ("edited", [example.approver1])
    ]
    assert [kw["step"].pk for kw in opened] == [first.pk, open_step(edited).pk]
    assert opened[-1]["order"].version == edited.version


def test_editing_an_approved_order_above_a_minimum_sends_it_for_approval():
    example = source_example()
    order = example.place("1500.00")

    edited = order_edit(
        order_id=order.pk,
        actor=example.buyer,
        lines=[LineRequest(sku=example.unit.sku, quantity=2000)],
        seen_version=order.version,
    )

    assert edited.status == OrderStatus.PENDING_APPROVAL
    assert deciders(open_step(edited)) == {example.approver1}
    assert edited.events.last().kind == OrderEventKind.EDITED


def test_editing_below_every_minimum_approves_at_once_and_voids_the_steps():
    example = source_example()
    order = example.place("2500.00")

    edited = order_edit(
        order_id=order.pk,
        actor=example.buyer,
        lines=[LineRequest(sku=example.unit.sku, quantity=10)],
        seen_version=order.version,
    )

    assert edited.status == OrderStatus.APPROVED
    assert set(order.approval_steps.values_list("status", flat=True)) == {StepStatus.VOID}


def test_cancelling_closes_open_and_waiting_steps_and_tells_the_approver(monkeypatch):
    example = source_example(ApprovalMode.ESCALATING)
    left = []
    monkeypatch.setattr("orders.notify.order_left_queue", lambda **kw: left.append(kw))
    order = example.place("6000.00")

    order_cancel(order_id=order.pk, actor=example.buyer, seen_version=order.version)

    assert set(order.approval_steps.values_list("status", flat=True)) == {StepStatus.CLOSED}
    assert not StepApprover.objects.filter(is_open=True).exists()
    assert [(kw["reason"], list(kw["approvers"])) for kw in left] == [
        ("cancelled", [example.approver1])
    ]


def test_placing_with_tiers_costs_a_constant_small_number_of_queries():
    # given a company with the source example's tiers and a 10-line order above them
    example = source_example(ApprovalMode.ESCALATING)
    products = [ProductFactory(unit_price=Decimal("2500.00")) for _ in range(10)]
    buyer = BuyerFactory(company=example.company)
    counts = {}
    webhook_endpoints()  # read once into the cache, as by the first order of any process

    # when one line ($2,500: one step) or ten lines ($25,000: three steps) are placed
    for n in (1, 10):
        with CaptureQueriesContext(connection) as ctx:
            order = order_place(
                buyer=buyer, lines=[LineRequest(sku=p.sku, quantity=1) for p in products[:n]]
            )
        counts[n] = len(ctx.captured_queries)
        assert order.status == OrderStatus.PENDING_APPROVAL

    # then both cost the same, well within the budget of 15
    print(f"order_place with tiers: {counts[1]} queries (1 line), {counts[10]} (10 lines)")
    assert counts[1] == counts[10] <= 15
    assert order.approval_steps.count() == 3
