"""The tables of moves, walked pair by pair through the one helper that writes a status.

For every status of a machine and every action of its table: the action either
moves the row to the table's target (and, where the row has one, the version
on by one), or is refused with nothing written. For every action and every role
anyone moves the machine in: the table's ``who`` lets it through or refuses it,
with nothing written.
"""

from decimal import Decimal
from itertools import product

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.models import INVITATION_MOVES, Invitation, InvitationStatus
from approvals.models import (
    DELEGATION_MOVES,
    ROUTING,
    STEP_MOVES,
    ApprovalStep,
    Delegation,
    DelegationStatus,
    StepStatus,
)
from core.domain import InvalidState, NotAllowed, StaleVersion
from core.transitions import NEW, initial_status, transition, transition_all
from orders.models import ORDER_MOVES, SITE_ADMIN, Order, OrderStatus
from quotations.models import QUOTE_MOVES, Quote, QuoteStatus
from tests.factories import BuyerFactory, OrderFactory

pytestmark = pytest.mark.django_db


def order_in(status: str) -> Order:
    return OrderFactory(status=status)


def step_in(status: str) -> ApprovalStep:
    order = OrderFactory(status=OrderStatus.PENDING_APPROVAL)
    decided = status in (StepStatus.APPROVED, StepStatus.REJECTED, StepStatus.RETURNED)
    return ApprovalStep.objects.create(
        order=order,
        sequence=1,
        minimum=Decimal("100.00"),
        status=status,
        opened_at=timezone.now() if status == StepStatus.OPEN else None,
        decided_by=order.placed_by if decided else None,
        decided_at=timezone.now() if decided else None,
        comment="Because." if decided else "",
    )


def quote_in(status: str) -> Quote:
    buyer = BuyerFactory()
    ordered = status == QuoteStatus.ORDERED
    quote = Quote.objects.create(
        company=buyer.company,
        requested_by=buyer,
        status=status,
        expires_at=timezone.now() + timezone.timedelta(days=1),
        order=OrderFactory(company=buyer.company, placed_by=buyer) if ordered else None,
    )
    quote.number = f"Q-{quote.pk:06d}"
    quote.save(update_fields=["number"])
    return quote


def invitation_in(status: str) -> Invitation:
    return Invitation.objects.create(
        user=BuyerFactory(),
        status=status,
        nonce="0" * 32,
        expires_at=timezone.now() + timezone.timedelta(days=1),
    )


def delegation_in(status: str) -> Delegation:
    approver = BuyerFactory()
    now = timezone.now()
    return Delegation.objects.create(
        approver=approver,
        delegate=BuyerFactory(company=approver.company),
        starts_at=now,
        ends_at=now + timezone.timedelta(days=1),
        created_by=approver,
        status=status,
    )


MACHINES = {
    "order": (ORDER_MOVES, OrderStatus.values, order_in),
    "step": (STEP_MOVES, StepStatus.values, step_in),
    "quote": (QUOTE_MOVES, QuoteStatus.values, quote_in),
    "invitation": (INVITATION_MOVES, InvitationStatus.values, invitation_in),
    "delegation": (DELEGATION_MOVES, DelegationStatus.values, delegation_in),
}
MODELS = {
    "order": Order,
    "step": ApprovalStep,
    "quote": Quote,
    "invitation": Invitation,
    "delegation": Delegation,
}
STRANGER = "stranger"  # a role no table lists


def roles(moves) -> list[str]:
    """Every role a machine is moved in, and one it never is."""
    return sorted(set().union(*(move.who for move in moves.values()))) + [STRANGER]


def a_role_of(move) -> str:
    return sorted(move.who)[0]


CASES = [
    pytest.param(machine, status, action, target, id=f"{machine}-{status}-{action}-{target}")
    for machine, (moves, statuses, _make) in MACHINES.items()
    for status, action in product(statuses, moves)
    if NEW not in moves[action].sources
    for target in sorted(moves[action].targets)
]

ROLE_CASES = [
    pytest.param(machine, action, role, id=f"{machine}-{action}-{role}")
    for machine, (moves, _statuses, _make) in MACHINES.items()
    for action, role in product(moves, roles(moves))
]


def _with_what_the_move_needs(row, action: str) -> list[str]:
    """What a service sets beside the status (the model's constraints ask for it)."""
    now = timezone.now()
    if isinstance(row, ApprovalStep) and action == "open":
        row.opened_at = now
        return ["opened_at"]
    if isinstance(row, ApprovalStep) and action in ("approve", "reject", "request_changes"):
        row.decided_by, row.decided_at, row.comment = row.order.placed_by, now, "Because."
        return ["decided_by", "decided_at", "comment"]
    if isinstance(row, Quote) and action == "place_order":
        row.order = OrderFactory(company=row.company, placed_by=row.requested_by)
        return ["order"]
    return []


def _row_state(row) -> tuple:
    fresh = type(row).objects.get(pk=row.pk)
    return fresh.status, getattr(fresh, "version", None)


@pytest.mark.parametrize(("machine", "status", "action", "target"), CASES)
def test_every_status_and_action_moves_as_the_table_says_or_is_refused(
    machine, status, action, target
):
    moves, _statuses, make = MACHINES[machine]
    row = make(status)
    before = _row_state(row)
    by = a_role_of(moves[action])

    if status in moves[action].sources:
        fields = _with_what_the_move_needs(row, action)
        with transaction.atomic():
            done = transition(row, action, by=by, to=target, fields=fields)
        assert (done.source, done.target) == (status, target)
        version = None if before[1] is None else before[1] + 1
        assert _row_state(row) == (target, version)
    else:
        with pytest.raises(InvalidState), transaction.atomic():
            transition(row, action, by=by, to=target)
        assert _row_state(row) == before


@pytest.mark.parametrize(("machine", "action", "role"), ROLE_CASES)
def test_every_action_is_made_only_by_whom_the_table_says(machine, action, role):
    moves, _statuses, make = MACHINES[machine]
    move = moves[action]
    target = sorted(move.targets)[0]

    if NEW in move.sources:  # a creating move: the status a new row is born in
        if role in move.who:
            assert initial_status(MODELS[machine], action, by=role, to=target) == target
        else:
            with pytest.raises(NotAllowed):
                initial_status(MODELS[machine], action, by=role, to=target)
        return

    row = make(sorted(move.sources)[0])
    before = _row_state(row)
    if role in move.who:
        fields = _with_what_the_move_needs(row, action)
        with transaction.atomic():
            transition(row, action, by=role, to=target, fields=fields)
        assert _row_state(row)[0] == target
    else:
        with pytest.raises(NotAllowed), transaction.atomic():
            transition(row, action, by=role, to=target)
        assert _row_state(row) == before


@pytest.mark.parametrize("machine", ["order", "quote", "invitation"])
def test_a_move_from_a_page_out_of_date_is_refused_and_writes_nothing(machine):
    moves, statuses, make = MACHINES[machine]
    action = next(a for a, m in moves.items() if NEW not in m.sources)
    row = make(sorted(moves[action].sources)[0])
    before = _row_state(row)

    move = moves[action]
    with pytest.raises(StaleVersion), transaction.atomic():
        transition(
            row,
            action,
            by=a_role_of(move),
            to=sorted(move.targets)[0],
            seen_version=row.version + 1,
        )

    assert _row_state(row) == before


@pytest.mark.parametrize(
    ("machine", "action"),
    [
        ("order", "place"),
        ("step", "route"),
        ("quote", "request"),
        ("invitation", "send"),
        ("delegation", "plan"),
    ],
)
def test_objects_are_born_only_where_their_table_says(machine, action):
    moves, statuses, _make = MACHINES[machine]
    model = MODELS[machine]
    by = a_role_of(moves[action])
    for target in moves[action].targets:
        assert initial_status(model, action, by=by, to=target) == target
    for other in set(statuses) - moves[action].targets:
        with pytest.raises(ValueError):
            initial_status(model, action, by=by, to=other)
    for creating in [a for a, m in moves.items() if NEW not in m.sources][:1]:
        with pytest.raises(ValueError):
            initial_status(model, creating, by=a_role_of(moves[creating]))


@pytest.mark.django_db(transaction=True)
def test_a_status_moves_only_inside_a_transaction():
    row = order_in(OrderStatus.APPROVED)

    with pytest.raises(RuntimeError):
        transition(row, "fulfil", by=SITE_ADMIN)

    assert _row_state(row) == (OrderStatus.APPROVED, 1)


def test_steps_moved_together_are_each_checked_first():
    waiting, approved = step_in(StepStatus.WAITING), step_in(StepStatus.APPROVED)

    with pytest.raises(InvalidState), transaction.atomic():
        transition_all([waiting, approved], "close", by=ROUTING)  # an approved one never is

    assert _row_state(waiting) == (StepStatus.WAITING, None)
    with pytest.raises(NotAllowed), transaction.atomic():
        transition_all([waiting], "close", by=SITE_ADMIN)  # routing's move, nobody else's
    assert _row_state(waiting) == (StepStatus.WAITING, None)
    with transaction.atomic():
        transition_all([waiting], "close", by=ROUTING)
    assert _row_state(waiting) == (StepStatus.CLOSED, None)
