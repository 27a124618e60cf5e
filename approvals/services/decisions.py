"""Decisions: an approver (or a site admin) approves or rejects an open step.

Lock order: the order's row first, then its steps (company -> quote -> order ->
order lines -> approval steps). Every decision bumps the order's version and
checks the version the person saw, so two people deciding at once, or a
decision racing the buyer's edit, end in exactly one outcome.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.models import ApprovalStep, StepApprover, StepStatus
from companies.models import User
from core.domain import DomainError, InvalidInput, InvalidState, NotAllowed, StaleVersion
from core.transitions import check
from notifications import events
from orders import services as order_services
from orders.models import Order

from .steps import step_move, steps_move_all

MAX_BULK = 100


def _not_yours() -> NotAllowed:
    # The same words whether the step is missing, another company's or another tier's.
    return NotAllowed(_("This order is not waiting for you."))


def _check_still_open(step: ApprovalStep, order: Order, actor: User) -> None:
    """Tell the person plainly why a step they saw open cannot be decided now."""
    if step.is_open:
        return
    number = order.number
    if step.is_decided:
        decision = _("approved") if step.status == StepStatus.APPROVED else _("rejected")
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
    *, step_id: int, actor: User, approve: bool, comment: str, seen_version: int
) -> Order:
    """Approve or reject a step of an order.

    Rules: only an eligible approver of the open step decides (a site admin
    only a step routed to site admins; never the buyer); the person must have
    seen the current version of the order; a rejection needs a comment. A
    rejection ends the order as rejected; the last approval makes it approved;
    an approval in a chain opens the next step. The decision is kept on the
    step and as an order event.
    """
    comment = (comment or "").strip()
    order_id = ApprovalStep.objects.filter(pk=step_id).values_list("order_id", flat=True).first()
    if order_id is None:
        raise _not_yours()
    order = order_services.order_lock(order_id=order_id)
    step = ApprovalStep.objects.select_for_update().get(pk=step_id)
    listed = (
        not step.needs_site_admin
        and StepApprover.objects.filter(step=step, approver_id=actor.pk).exists()
    )
    if not step.may_be_decided_by(actor, order=order, listed=listed):
        raise _not_yours()
    _check_still_open(step, order, actor)
    check(order, "approve" if approve else "reject", seen_version=seen_version)
    if not approve and not comment:
        message = _("Say why you reject the order: the buyer reads the comment.")
        raise InvalidInput(message, errors={"comment": [message]})

    step.decided_by = actor
    step.decided_at = timezone.now()
    step.comment = comment
    step_move(
        step, "approve" if approve else "reject", fields=["decided_by", "decided_at", "comment"]
    )

    if not approve:
        steps_move_all(
            list(ApprovalStep.objects.filter(order=order, status=StepStatus.WAITING)), "close"
        )
        order_services.order_move(order=order, action="reject", actor=actor, comment=comment)
        events.order_decided(order=order, actor=actor, approved=False, comment=comment)
        return order

    following = (
        ApprovalStep.objects.filter(order=order, status=StepStatus.WAITING)
        .order_by("sequence")
        .first()
    )
    if following is None:
        order_services.order_move(order=order, action="approve", actor=actor, comment=comment)
        events.order_decided(order=order, actor=actor, approved=True, comment=comment)
        return order

    step_move(following, "open")
    order_services.order_move(order=order, action="approve_step", actor=actor, comment=comment)
    events.order_waiting_for_approval(order=order, step=following, actor=actor)
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


def approval_steps_bulk_approve(
    *, actor: User, items: Sequence[tuple[int, int]], comment: str = ""
) -> list[DecisionResult]:
    """Approve several steps, each as its own decision: ``items`` are (step id, seen version).

    Rule: every entry is checked and recorded exactly like a single decision,
    in its own transaction, so one refusal neither undoes nor hides the others.
    """
    if len(items) > MAX_BULK:
        raise InvalidInput(
            _("Approve at most %(max)d orders at once.") % {"max": MAX_BULK},
        )
    results = []
    for step_id, seen_version in dict.fromkeys(items):
        try:
            order = approval_step_decide(
                step_id=step_id,
                actor=actor,
                approve=True,
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
