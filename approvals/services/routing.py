"""Routing: which approval steps an order needs, from its company's tiers and mode.

``ApprovalRouter`` answers the question orders ask through ``orders.routing``
(installed by ``ApprovalsConfig.ready``). Orders' services call it while they
hold the order's row lock (lock order: ``core.locks``); nothing here locks the
order again, and nothing here writes an order: routing returns the status,
orders' services write it.

The rules, for tiers grouped by minimum (any approver of a tier decides for it):

- *respective*: the tier with the highest minimum the total reaches decides;
- *escalating*: every tier the total reaches decides, lowest first, each step
  opening when the one before it was approved;
- a minimum is inclusive; below every minimum the order is approved at once;
- nobody decides on their own order: when the buyer is an approver of a
  required tier, the others of that tier decide; if there are none, the next
  tier up (even above the total); if there is none, site admins
  (``needs_site_admin``). In a chain, a step whose deciders would be the same
  tier as the next step's is folded into that step.

Only active contacts of the order's company count as approvers.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from approvals.models import (
    ROUTING,
    STEP_MOVES,
    ApprovalStep,
    ApprovalTier,
    Delegation,
    DelegationStatus,
    StepApprover,
    StepStatus,
)
from companies.models import ApprovalMode, User
from core.locks import lock
from core.money import format_money
from core.tallies import tally_add
from core.transitions import initial_status
from orders.documents import ApprovalEntry
from orders.models import Order, OrderStatus
from orders.routing import Route
from orders.selectors import order_changes_since
from orders.services.spend import Spend, has_caps, spend_peek

from .. import notify
from ..documents import approval_entries
from .steps import queue_changes, reminder_due, site_admin_changes, steps_move_all


@dataclass(frozen=True)
class TierApprover:
    id: int
    name: str
    # The colleague deciding for them while they are away (``Delegation``), if any.
    delegate_id: int | None = None
    delegate_name: str = ""


@dataclass(frozen=True)
class Tier:
    """Everyone who decides from one minimum up."""

    minimum: Decimal
    label: str
    approvers: tuple[TierApprover, ...]


@dataclass(frozen=True)
class PlannedStep:
    minimum: Decimal
    label: str
    approvers: tuple[TierApprover, ...]
    note: str = ""

    @property
    def needs_site_admin(self) -> bool:
        return not self.approvers

    @property
    def signature(self) -> tuple[Decimal, frozenset[int]]:
        return (self.minimum, frozenset(a.id for a in self.approvers))


def step_signature(step: ApprovalStep, approver_ids: Sequence[int]) -> tuple[Decimal, frozenset]:
    """A stored step in the shape of ``PlannedStep.signature``, to compare routes."""
    return (step.minimum, frozenset(approver_ids))


def company_tiers(*, company_id: int) -> tuple[str, list[Tier]]:
    """The company's mode and its tiers by minimum, in one query.

    Approvers who are inactive or no longer contacts of the company do not
    decide, but their tier stays: with nobody left it routes up like a tier
    whose only approver placed the order, so a minimum never silently lapses.
    """
    away = Delegation.objects.filter(
        approver_id=OuterRef("approver_id"),
        status=DelegationStatus.ACTIVE,
        delegate__is_active=True,
        delegate__company_id=company_id,
    )
    rows = (
        ApprovalTier.objects.filter(company_id=company_id)
        .annotate(
            delegate_id=Subquery(away.values("delegate_id")[:1]),
            delegate_name=Subquery(away.values("delegate__full_name")[:1]),
        )
        .order_by("minimum", "id")
        .values_list(
            "minimum",
            "label",
            "approver_id",
            "approver__full_name",
            "approver__is_active",
            "approver__company_id",
            "company__approval_mode",
            "delegate_id",
            "delegate_name",
        )
    )
    mode = ApprovalMode.RESPECTIVE
    grouped: dict[Decimal, tuple[str, list[TierApprover]]] = {}
    for (
        minimum,
        label,
        approver_id,
        name,
        active,
        approver_company_id,
        company_mode,
        delegate_id,
        delegate_name,
    ) in rows:
        mode = company_mode
        tier_label, approvers = grouped.setdefault(minimum, (label, []))
        if label and not tier_label:
            grouped[minimum] = (label, approvers)
        if active and approver_company_id == company_id:
            approvers.append(TierApprover(approver_id, name, delegate_id, delegate_name or ""))
    tiers = [
        Tier(minimum=minimum, label=label, approvers=tuple(approvers))
        for minimum, (label, approvers) in grouped.items()
    ]
    return mode, tiers


def _deciding_tier(tiers: Sequence[Tier], index: int, buyer_id: int | None) -> int | None:
    """The first tier from ``index`` up with an approver other than the buyer; None: site admins."""
    for candidate in range(index, len(tiers)):
        if any(a.id != buyer_id for a in tiers[candidate].approvers):
            return candidate
    return None


def route_plan(
    *, total: Decimal, buyer_id: int | None, mode: str, tiers: Sequence[Tier]
) -> list[PlannedStep]:
    """The steps an order of ``total`` placed by ``buyer_id`` needs; empty: approved at once.

    Pure: the admin's preview and the tests use it as routing does.
    """
    reached = [i for i, tier in enumerate(tiers) if tier.minimum <= total]
    if not reached:
        return []
    required = reached[-1:] if mode == ApprovalMode.RESPECTIVE else reached
    planned: list[tuple[int | None, PlannedStep]] = []
    for index in required:
        tier = tiers[index]
        target = _deciding_tier(tiers, index, buyer_id)
        if target is None:
            approvers: tuple[TierApprover, ...] = ()
            note = _("Nobody in the company may approve it, so a site admin decides.")
        else:
            approvers = tuple(a for a in tiers[target].approvers if a.id != buyer_id)
            if target != index:
                note = _("No approver of this tier may decide it: the next tier up does.")
            elif len(approvers) < len(tier.approvers):
                note = _("The buyer is an approver of this tier; the others decide.")
            else:
                note = ""
        step = PlannedStep(minimum=tier.minimum, label=tier.label, approvers=approvers, note=note)
        if planned and planned[-1][0] == target:
            # The tier below went up to these same deciders: one decision covers both.
            step = PlannedStep(
                minimum=step.minimum,
                label=step.label,
                approvers=step.approvers,
                note=step.note
                or _("Also decides for the tier below, which has no approver who may decide it."),
            )
            planned[-1] = (target, step)
        else:
            planned.append((target, step))
    return [step for _target, step in planned]


def over_budget(*, order: Order, spend: Spend) -> str:
    """Why the order takes its month past the company's budget or the buyer's limit ("" if
    it does not): the first of the two it passes, with by how much."""
    month = date_format(spend.month, "F")
    if spend.company_budget is not None:
        over = spend.company_total + order.total - spend.company_budget
        if over > 0:
            return _("Over %(company)s's %(month)s budget by %(amount)s.") % {
                "company": order.company.name,
                "month": month,
                "amount": format_money(over),
            }
    if spend.buyer_limit is not None:
        over = spend.buyer_total + order.total - spend.buyer_limit
        if over > 0:
            return _("Over %(buyer)s's %(month)s spending limit by %(amount)s.") % {
                "buyer": order.placed_by.full_name,
                "month": month,
                "amount": format_money(over),
            }
    return ""


def budget_plan(
    *, order: Order, mode: str, tiers: Sequence[Tier], reason: str
) -> list[PlannedStep]:
    """An order over a budget goes to the company's highest tier, whatever its total (with
    the usual fallbacks: nobody decides their own order); site admins without tiers."""
    if tiers:
        total = max(order.total, tiers[-1].minimum)
        return route_plan(total=total, buyer_id=order.placed_by_id, mode=mode, tiers=tiers)
    return [
        PlannedStep(minimum=max(order.total, Decimal("0.01")), label="", approvers=(), note=reason)
    ]


def order_plan(
    *, order: Order, mode: str, tiers: Sequence[Tier], spend: Spend | None
) -> tuple[list[PlannedStep], str]:
    """The steps an order needs, and why it is over a budget ("" when it is not)."""
    over = over_budget(order=order, spend=spend) if spend else ""
    if over:
        return budget_plan(order=order, mode=mode, tiers=tiers, reason=over), over
    plan = route_plan(total=order.total, buyer_id=order.placed_by_id, mode=mode, tiers=tiers)
    return plan, ""


def names(approvers: Sequence[TierApprover]) -> str:
    return _(" or ").join(a.name for a in approvers)


def describe_plan(plan: Sequence[PlannedStep]) -> str:
    """One line for the order's history: who decides first."""
    first = plan[0]
    if first.needs_site_admin:
        who = _("a site admin (nobody in the company may approve it)")
    else:
        who = names(first.approvers)
    if len(plan) == 1:
        return _("Waiting for approval by %(who)s.") % {"who": who}
    return ngettext(
        "Waiting for approval in %(n)d step, first by %(who)s.",
        "Waiting for approval in %(n)d steps, first by %(who)s.",
        len(plan),
    ) % {"n": len(plan), "who": who}


def create_steps(
    *, order: Order, plan: Sequence[PlannedStep], first_sequence: int, open_first: bool
) -> list[ApprovalStep]:
    """Write planned steps and their approvers in two queries, whatever their number."""
    now = timezone.now()
    steps = []
    for i, planned in enumerate(plan):
        opens = open_first and i == 0
        steps.append(
            ApprovalStep(
                order=order,
                sequence=first_sequence + i,
                minimum=planned.minimum,
                label=planned.label,
                note=planned.note,
                needs_site_admin=planned.needs_site_admin,
                status=initial_status(
                    ApprovalStep,
                    "route",
                    by=ROUTING,
                    to=StepStatus.OPEN if opens else StepStatus.WAITING,
                ),
                opened_at=now if opens else None,
                remind_at=reminder_due(now) if opens else None,
                order_version=order.version,
            )
        )
    ApprovalStep.objects.bulk_create(steps)
    links = [
        StepApprover(
            step=step,
            approver_id=approver.id,
            is_open=step.is_open,
            opened_at=step.opened_at,
            amount=order.total,
        )
        for step, planned in zip(steps, plan, strict=True)
        for approver in planned.approvers
    ]
    links += [
        StepApprover(
            step=step,
            approver_id=delegate_id,
            on_behalf_of_id=approver_id,
            is_open=step.is_open,
            opened_at=step.opened_at,
            amount=order.total,
        )
        for step, planned in zip(steps, plan, strict=True)
        for approver_id, delegate_id in _delegates(order, planned).items()
    ]
    if links:
        StepApprover.objects.bulk_create(links)
    opened = [(link.approver_id, link.amount) for link in links if link.is_open]
    tally_add(
        queue_changes(order=order, links=opened, sign=1)
        + site_admin_changes(order=order, steps=[s for s in steps if s.is_open], sign=1)
    )
    return steps


def _delegates(order: Order, planned: PlannedStep) -> dict[int, int]:
    """Approver -> the delegate deciding for them: not the buyer, not someone who decides
    the step in their own right, one delegate each (delegation does not chain)."""
    own = {a.id for a in planned.approvers}
    found: dict[int, int] = {}
    for approver in planned.approvers:
        delegate = approver.delegate_id
        usable = delegate and delegate != order.placed_by_id and delegate not in own
        if usable and delegate not in found.values():
            found[approver.id] = delegate
    return found


def _recipients(order: Order, planned: PlannedStep) -> list[User] | None:
    """The people a planned step waits for, as read with the tiers; None: site admins.

    ``company_tiers`` keeps only active contacts of the order's company, so
    these are all that telling them needs, without reading them again.
    """
    if planned.needs_site_admin:
        return None
    names = {a.delegate_id: a.delegate_name for a in planned.approvers if a.delegate_id}
    return [
        User(pk=a.id, full_name=a.name, company_id=order.company_id, is_active=True)
        for a in planned.approvers
    ] + [
        User(pk=delegate, full_name=names[delegate], company_id=order.company_id, is_active=True)
        for delegate in _delegates(order, planned).values()
    ]


def _end_steps(*, order: Order, action: str) -> list[User]:
    """End the order's steps that ``action`` ends; the approvers of the open one, whose
    queue the order leaves."""
    (steps,) = lock(
        ApprovalStep.objects.filter(order=order, status__in=STEP_MOVES[action].sources).order_by(
            "sequence"
        )
    )
    if not steps:
        return []
    open_step = next((s for s in steps if s.is_open), None)
    approvers = list(open_step.approvers.all()) if open_step else []
    steps_move_all(steps, action, order=order)
    return approvers


def _changes_since_last_round(order: Order) -> list[str]:
    """What an edit changed since the order last went to approval, for the email."""
    if order.version == 1:
        return []
    previous = ApprovalStep.objects.filter(
        order=order, status__in=[StepStatus.VOID, StepStatus.RETURNED]
    ).aggregate(version=Max("order_version"))["version"]
    changes = previous and order_changes_since(order=order, version=previous)
    return changes.summary() if changes else []


class ApprovalRouter:
    """The company's tiers decide who approves an order (``orders.routing``'s question).

    A constant number of queries per order: the tiers when planning, then one
    insert of steps and one of their approvers.
    """

    def plan(self, *, order: Order, spend: Spend | None = None) -> Route:
        mode, tiers = company_tiers(company_id=order.company_id)
        if spend is None and has_caps(order):
            spend = spend_peek(order=order)  # a preview: the services pass it locked
        plan, over = order_plan(order=order, mode=mode, tiers=tiers, spend=spend)
        if over:
            return Route(
                status=OrderStatus.PENDING_APPROVAL,
                comment=f"{over} {describe_plan(plan)}",
                steps=tuple(plan),
                over_budget=over,
            )
        if not plan:
            comment = (
                _("No approval needed: the total is below every approval minimum.")
                if tiers
                else _("No approval needed.")
            )
            return Route(status=OrderStatus.APPROVED, comment=comment)
        return Route(
            status=OrderStatus.PENDING_APPROVAL, comment=describe_plan(plan), steps=tuple(plan)
        )

    def open(self, *, order: Order, route: Route, actor: User) -> None:
        """Write the planned steps, the first one open, and tell its approvers."""
        if not route.steps:
            return
        steps = create_steps(order=order, plan=route.steps, first_sequence=1, open_first=True)
        notify.order_waiting_for_approval(
            order=order,
            step=steps[0],
            actor=actor,
            recipients=_recipients(order, route.steps[0]),
            changes=_changes_since_last_round(order),
        )

    def void(self, *, order: Order, actor: User) -> list[User]:
        """The order changed: decisions taken so far no longer count.

        Rule: waiting, open and approved steps become void (kept, with who decided
        them, as history); the order is routed again. Returns whoever had it in
        their queue (the order services tell them it left).
        """
        return _end_steps(order=order, action="void")

    def close(self, *, order: Order, actor: User) -> list[User]:
        """The order was cancelled: nobody needs to decide any more.

        Rule: waiting and open steps close; decisions already taken stay as they were.
        Returns whoever had it in their queue.
        """
        return _end_steps(order=order, action="close")

    def approvals(self, *, orders: Sequence[Order]) -> dict[int, tuple[ApprovalEntry, ...]]:
        """The steps of ``orders`` for their documents (``approvals.documents``)."""
        return approval_entries(orders=orders)
