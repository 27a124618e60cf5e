"""Moving approval steps, and the copy of their openness on each approver's link.

``StepApprover.is_open`` and ``opened_at`` mirror the step's status so that an
approver's queue reads in order from one index (see ``StepApprover``). Every
move of a step goes through these two functions, which keep the copy true in
the same transaction.
"""

from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from core.transitions import Transition, transition, transition_all

from ..models import ApprovalStep, StepApprover, StepStatus


def reminder_due(opened_at):
    """When the approvers of a step opened at ``opened_at`` are first reminded."""
    return opened_at + timedelta(hours=settings.APPROVAL_REMINDER_HOURS)


def step_move(step: ApprovalStep, action: str, *, fields: Sequence[str] = ()) -> Transition:
    """Move one step of a locked order; opening it starts its clock."""
    fields = list(fields)
    if action == "open":
        step.opened_at = timezone.now()
        step.remind_at = reminder_due(step.opened_at)
        fields += ["opened_at", "remind_at"]
    done = transition(step, action, fields=fields)
    if done.target == StepStatus.OPEN:
        StepApprover.objects.filter(step=step).update(is_open=True, opened_at=step.opened_at)
    elif done.source == StepStatus.OPEN:
        StepApprover.objects.filter(step=step, is_open=True).update(is_open=False)
    return done


def steps_move_all(steps: Sequence[ApprovalStep], action: str) -> list[Transition]:
    """Move several steps of a locked order at once (void or close what is left)."""
    done = transition_all(steps, action)
    left_open = [t_step.pk for t_step, t in zip(steps, done, strict=True) if t.source == "open"]
    if left_open:
        StepApprover.objects.filter(step_id__in=left_open, is_open=True).update(is_open=False)
    return done
