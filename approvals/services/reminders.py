"""Reminders for orders that wait too long for a decision.

Every open step carries ``remind_at``: when its approvers are next due a
reminder. A run takes the steps that are due, in batches, until none is left,
and moves each one's ``remind_at`` to its next period, so a run costs the
reminders it sends, however long the queue, and no step is starved behind
others. The reminder's key names its period, so two runs at once queue nothing
twice.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from companies.roles import OVERSEE_ORDERS
from core.locks import lock_first
from notifications.services import staff_recipients

from .. import notify
from ..models import ApprovalStep, StepStatus

BATCH = 500


def _remind(step_id: int, now: datetime, admins: list | None) -> int:
    every = timedelta(hours=settings.APPROVAL_REMINDER_HOURS)
    with transaction.atomic():
        step = lock_first(
            ApprovalStep.objects.select_related("order__placed_by", "order__company").filter(
                pk=step_id, status=StepStatus.OPEN, remind_at__lte=now
            ),
            skip_locked=True,
            of=("self",),
        )
        if step is None:
            return 0
        waited = now - step.opened_at
        hours = int(waited.total_seconds() // 3600)
        period = int(waited / every)
        queued = notify.approval_reminder(step=step, order=step.order, hours=hours, period=period)
        if hours >= settings.APPROVAL_ESCALATE_HOURS:
            queued += notify.approval_overdue(
                step=step, order=step.order, hours=hours, period=period, admins=admins or []
            )
        step.remind_at = step.opened_at + every * (period + 1)
        step.save(update_fields=["remind_at"])
    return queued


def approval_reminders_send(*, now: datetime | None = None) -> int:
    """Remind approvers of steps open longer than APPROVAL_REMINDER_HOURS, once per such
    period; past APPROVAL_ESCALATE_HOURS tell the site admins too. Returns the emails queued.
    """
    now = now or timezone.now()
    admins = staff_recipients(permission=OVERSEE_ORDERS)
    queued = 0
    due = ApprovalStep.objects.filter(status=StepStatus.OPEN, remind_at__lte=now).order_by(
        "remind_at", "id"
    )
    after = Q()
    while batch := list(due.filter(after).values_list("remind_at", "pk")[:BATCH]):
        for _remind_at, step_id in batch:
            queued += _remind(step_id, now, admins)
        # On from the last one read: a step another run holds right now is left to it.
        last_at, last_id = batch[-1]
        after = Q(remind_at__gt=last_at) | Q(remind_at=last_at, pk__gt=last_id)
    return queued
