"""Moving approval steps, and the copy of their openness on each approver's link.

``StepApprover.is_open`` and ``opened_at`` mirror the step's status so that an
approver's queue reads in order from one index (see ``StepApprover``). Every
move of a step goes through these functions, which keep the copy true in the
same transaction, and with it each approver's queue tally (``queue_tally``):
how many steps wait for them and what they are worth, read by the navigation
and the dashboard on every page instead of counting the queue.

A link is locked after its order and step (``core.locks``).
"""

from collections.abc import Iterable, Sequence
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from core.locks import lock
from core.tallies import Change, tally_add
from core.transitions import Transition, transition, transition_all
from orders.models import Order

from ..models import (
    ROUTING,
    SITE_ADMIN_QUEUE,
    ApprovalStep,
    StepApprover,
    StepStatus,
    queue_tally,
)


def reminder_due(opened_at):
    """When the approvers of a step opened at ``opened_at`` are first reminded."""
    return opened_at + timedelta(hours=settings.APPROVAL_REMINDER_HOURS)


def queue_changes(*, order: Order, links: Iterable[tuple[int, Decimal]], sign: int) -> list[Change]:
    """What opening (sign 1) or closing (-1) these (approver, amount) links does to their
    approvers' queues; the buyer's own order is in nobody's queue."""
    return [
        Change(
            queue_tally(company_id=order.company_id, approver_id=approver_id),
            sign,
            sign * amount,
        )
        for approver_id, amount in links
        if approver_id != order.placed_by_id
    ]


def site_admin_changes(*, order: Order, steps: Iterable[ApprovalStep], sign: int) -> list[Change]:
    """What opening (1) or closing (-1) these steps does to the site admins' queue (its
    size: the staff dashboard lists the steps themselves)."""
    n = sum(1 for step in steps if step.needs_site_admin)
    return [Change(SITE_ADMIN_QUEUE, sign * n)] if n else []


def _links_set_open(order: Order, steps: Sequence[ApprovalStep], opened_at=None) -> None:
    """Open (``opened_at`` given) or close these steps' links, and tally it."""
    opening = opened_at is not None
    sign = 1 if opening else -1
    step_ids = [step.pk for step in steps]
    links = StepApprover.objects.filter(step_id__in=step_ids, is_open=not opening)
    # locked, so that a link closed here and deleted at once by a delegation's end
    # leaves its queue once
    (rows,) = lock(links.order_by("pk").values_list("pk", "approver_id", "amount"))
    if rows:
        StepApprover.objects.filter(pk__in=[pk for pk, *_ in rows]).update(
            is_open=opening, **({"opened_at": opened_at} if opening else {})
        )
    tally_add(
        queue_changes(order=order, links=[(a, amount) for _pk, a, amount in rows], sign=sign)
        + site_admin_changes(order=order, steps=steps, sign=sign)
    )


def step_move(
    step: ApprovalStep, action: str, *, order: Order, by: str, fields: Sequence[str] = ()
) -> Transition:
    """Move one step of a locked order, in the role ``by``; opening it starts its clock."""
    fields = list(fields)
    if action == "open":
        step.opened_at = timezone.now()
        step.remind_at = reminder_due(step.opened_at)
        fields += ["opened_at", "remind_at"]
    done = transition(step, action, by=by, fields=fields)
    if done.target == StepStatus.OPEN:
        _links_set_open(order, [step], opened_at=step.opened_at)
    elif done.source == StepStatus.OPEN:
        _links_set_open(order, [step])
    return done


def steps_move_all(steps: Sequence[ApprovalStep], action: str, *, order: Order) -> list[Transition]:
    """Move several steps of a locked order at once: routing voids or closes what is left."""
    done = transition_all(steps, action, by=ROUTING)
    left_open = [step for step, t in zip(steps, done, strict=True) if t.source == StepStatus.OPEN]
    if left_open:
        _links_set_open(order, left_open)
    return done
