"""Periodic reminders: approvals waiting too long, offers about to expire.

Each reminder's key names its period, so running a sweep twice (or two beats
at once) queues nothing twice.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.models import ApprovalStep, StepStatus
from core.money import format_money as money
from quotations.models import Quote, QuoteStatus

from .events import order_context, quote_context, step_recipients
from .models import NotificationKind
from .services import notification_enqueue, staff_recipients

BATCH = 1000


def approval_reminders_send(*, now: datetime | None = None) -> int:
    """Remind approvers of steps open longer than APPROVAL_REMINDER_HOURS, once per
    such period; past APPROVAL_ESCALATE_HOURS tell the site admins too."""
    now = now or timezone.now()
    every = settings.APPROVAL_REMINDER_HOURS
    escalate = settings.APPROVAL_ESCALATE_HOURS
    steps = (
        ApprovalStep.objects.filter(
            status=StepStatus.OPEN, opened_at__lte=now - timedelta(hours=every)
        )
        .select_related("order__placed_by", "order__company")
        .prefetch_related("approvers")
        .order_by("opened_at", "id")[:BATCH]
    )
    admins = None
    queued = 0
    for step in steps:
        order = step.order
        hours = int((now - step.opened_at).total_seconds() // 3600)
        period = hours // every
        context = order_context(
            order, hours=hours, path=reverse("approvals:order", args=[order.number])
        )
        with transaction.atomic():
            queued += len(
                notification_enqueue(
                    kind=NotificationKind.APPROVAL_REMINDER,
                    recipients=step_recipients(step),
                    key=f"approval_reminder:{step.pk}:p{period}",
                    subject=_("Reminder: order %(number)s has waited %(hours)s hours for you")
                    % {"number": order.number, "hours": hours},
                    order=order,
                    context=context,
                )
            )
            if hours >= escalate:
                if admins is None:
                    admins = staff_recipients()
                queued += len(
                    notification_enqueue(
                        kind=NotificationKind.APPROVAL_OVERDUE,
                        recipients=admins,
                        key=f"approval_overdue:{step.pk}:p{period}",
                        subject=_("Order %(number)s of %(company)s has waited %(hours)s hours")
                        % {"number": order.number, "company": order.company.name, "hours": hours},
                        order=order,
                        context=context,
                    )
                )
    return queued


def quote_expiry_warnings_send(*, now: datetime | None = None) -> int:
    """Tell buyers of offers that expire within 24 hours, once per offer."""
    now = now or timezone.now()
    quotes = (
        Quote.objects.filter(
            status=QuoteStatus.OFFERED,
            expires_at__gt=now,
            expires_at__lte=now + timedelta(hours=24),
        )
        .select_related("requested_by", "company")
        .prefetch_related("lines")
        .order_by("expires_at")[:BATCH]
    )
    queued = 0
    for quote in quotes:
        total = quote.offered_total
        with transaction.atomic():
            queued += len(
                notification_enqueue(
                    kind=NotificationKind.QUOTE_EXPIRING,
                    recipients=[quote.requested_by],
                    key=f"quote_expiring:{quote.pk}:v{quote.version}",
                    subject=_("The offer on your quote %(number)s expires soon")
                    % {"number": quote.number},
                    quote=quote,
                    context=quote_context(
                        quote,
                        None,
                        total=money(total) if total is not None else "",
                        expires=timezone.localtime(quote.expires_at).strftime("%Y-%m-%d %H:%M"),
                    ),
                )
            )
    return queued
