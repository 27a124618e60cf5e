"""Decisions: an approver (or a site admin) approves or rejects an open step.

The order's row is locked before its step (``core.locks``). Every decision
bumps the order's version and checks the version the person saw, so two
people deciding at once, or a decision racing the buyer's edit, end in
exactly one outcome.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.models import (
    NEEDS_COMMENT,
    ROUTING,
    ApprovalStep,
    Decision,
    StepApprover,
    StepStatus,
)
from companies.models import User
from core.domain import DomainError, InvalidInput, InvalidState, NotAllowed, StaleVersion
from core.locks import lock_one
from core.transitions import check
from orders import services as order_services
from orders.models import APPROVER, SITE_ADMIN, Channel, Order

from .. import notify
from .steps import step_move, steps_move_all

MAX_BULK = 100


def decider_role(actor: User) -> str:
    """The role a person decides a step in: a site admin (for steps routed to site
    admins, ``ApprovalStep.may_be_decided_by``), or an approver."""
    return SITE_ADMIN if actor.is_staff else APPROVER


def _not_yours() -> NotAllowed:
    # The same words whether the step is missing, another company's or another tier's.
    return NotAllowed(_("This order is not waiting for you."))


def _check_still_open(step: ApprovalStep, order: Order, actor: User) -> None:
    """Tell the person plainly why a step they saw open cannot be decided now."""
    if step.is_open:
        return
    number = order.number
    if step.is_decided:
        decision = {
            StepStatus.APPROVED: _("approved"),
            StepStatus.REJECTED: _("rejected"),
            StepStatus.RETURNED: _("sent back for changes"),
        }[step.status]
        if step.decided_by_id == actor.pk:
            raise InvalidState(
                _("You already %(decision)s order %(number)s.")
                % {"decision": decision, "number": number}
            )
        raise InvalidState(
            _("Order %(number)s was already %(decision)s by %(name)s.")
            % {"number": number, "decision": decision, "name": step.decided_by}
        )
    if step.status == StepStatus.VOID:
        raise StaleVersion(
            _("Order %(number)s changed while you were looking at it. Please check it again.")
            % {"number": number}
        )
    if step.status == StepStatus.WAITING:
        raise InvalidState(
            _("Order %(number)s is not waiting for you yet: an earlier step comes first.")
            % {"number": number}
        )
    raise InvalidState(
        _("Order %(number)s is %(status)s: there is nothing left to decide.")
        % {"number": number, "status": order.get_status_display().lower()}
    )


@transaction.atomic
def approval_step_decide(
    *,
    step_id: int,
    actor: User,
    decision: str,
    comment: str,
    seen_version: int,
    channel: str = Channel.WEB,
) -> Order:
    """Approve, reject or send back for changes a step of an order.

    Rules: only an eligible approver of the open step decides (a site admin
    only a step routed to site admins; never the buyer); the person must have
    seen the current version of the order; a rejection and a request for
    changes need a comment (the buyer reads it). A rejection ends the order as
    rejected; a request for changes hands it back to the buyer, who changes it
    (it is routed again) or cancels it; the last approval makes it approved; an
    approval in a chain opens the next step. The decision is kept on the step
    and as an order event, with the channel it came by (``channel``).
    """
    decision = Decision(decision)
    comment = (comment or "").strip()
    order_id = ApprovalStep.objects.filter(pk=step_id).values_list("order_id", flat=True).first()
    if order_id is None:
        raise _not_yours()
    order = order_services.order_lock(order_id=order_id)
    step = lock_one(ApprovalStep.objects.filter(pk=step_id))
    link = (
        None
        if step.needs_site_admin
        else StepApprover.objects.filter(step=step, approver_id=actor.pk)
        .values_list("pk", "on_behalf_of_id")
        .first()
    )
    if not step.may_be_decided_by(actor, order=order, listed=link is not None):
        raise _not_yours()
    _check_still_open(step, order, actor)
    role = decider_role(actor)
    check(order, decision, by=role, seen_version=seen_version)
    on_behalf_of_id = link[1] if link else None
    if decision in NEEDS_COMMENT and not comment:
        message = (
            _("Say why you reject the order: the buyer reads the comment.")
            if decision == Decision.REJECT
            else _("Say what should change: the buyer reads the comment.")
        )
        raise InvalidInput(message, errors={"comment": [message]})

    step.decided_by = actor
    step.decided_for_id = on_behalf_of_id
    step.decided_at = timezone.now()
    step.comment = comment
    step_move(
        step,
        decision,
        order=order,
        by=role,
        fields=["decided_by", "decided_for", "decided_at", "comment"],
    )
    record = partial(
        order_services.order_move,
        order=order,
        actor=actor,
        by=role,
        comment=comment,
        channel=channel,
        on_behalf_of_id=on_behalf_of_id,
    )

    if decision != Decision.APPROVE:
        # Nothing later in a chain is asked any more; the order leaves the queues.
        steps_move_all(
            list(ApprovalStep.objects.filter(order=order, status=StepStatus.WAITING)),
            "close",
            order=order,
        )
        record(action=decision)  # the order tells its buyer (``orders.notify``)
        return order

    following = (
        ApprovalStep.objects.filter(order=order, status=StepStatus.WAITING)
        .order_by("sequence")
        .first()
    )
    if following is None:
        record(action="approve")
        return order

    step_move(following, "open", order=order, by=ROUTING)
    record(action="approve_step")
    notify.order_waiting_for_approval(order=order, step=following, actor=actor)
    return order


@dataclass(frozen=True)
class DecisionResult:
    """One entry of a bulk decision: the order it moved, or why it did not."""

    step_id: int
    order: Order | None = None
    error: str = ""
    denied: bool = False

    @property
    def ok(self) -> bool:
        return self.order is not None


def approval_steps_bulk_decide(
    *,
    actor: User,
    items: Sequence[tuple[int, int]],
    decision: str = Decision.APPROVE,
    comment: str = "",
) -> list[DecisionResult]:
    """Approve or reject several steps, each as its own decision: ``items`` are
    (step id, seen version).

    Rule: every entry is checked and recorded exactly like a single decision, in
    its own transaction, so one refusal neither undoes nor hides the others; a
    rejection needs its one comment, recorded on every order.
    """
    decision = Decision(decision)
    if decision == Decision.REQUEST_CHANGES:
        raise InvalidInput(_("Ask for changes order by order: each buyer needs their own words."))
    if len(items) > MAX_BULK:
        raise InvalidInput(_("Decide at most %(max)d orders at once.") % {"max": MAX_BULK})
    if decision in NEEDS_COMMENT and not (comment or "").strip():
        message = _("Say why you reject these orders: each buyer reads the comment.")
        raise InvalidInput(message, errors={"comment": [message]})
    results = []
    for step_id, seen_version in dict.fromkeys(items):
        try:
            order = approval_step_decide(
                step_id=step_id,
                actor=actor,
                decision=decision,
                comment=comment,
                seen_version=seen_version,
            )
        except NotAllowed as exc:
            results.append(DecisionResult(step_id=step_id, error=str(exc), denied=True))
        except DomainError as exc:
            results.append(DecisionResult(step_id=step_id, error=str(exc)))
        else:
            results.append(DecisionResult(step_id=step_id, order=order))
    return results


def approval_steps_bulk_approve(
    *, actor: User, items: Sequence[tuple[int, int]], comment: str = ""
) -> list[DecisionResult]:
    """Approve several steps (``approval_steps_bulk_decide``)."""
    return approval_steps_bulk_decide(
        actor=actor, items=items, decision=Decision.APPROVE, comment=comment
    )
