"""Reminders reach every overdue order, however long the queue."""

from datetime import timedelta

import pytest

from approvals.models import ApprovalStep, StepStatus
from approvals.notify import APPROVAL_REMINDER
from approvals.services import reminders
from approvals.services.reminders import approval_reminders_send
from notifications.models import Notification
from tests.approvals.factories import source_example

pytestmark = pytest.mark.django_db


def reminded_steps() -> set[str]:
    return set(
        Notification.objects.filter(kind=APPROVAL_REMINDER).values_list("reference", flat=True)
    )


def test_every_overdue_order_is_reminded_even_past_a_batch(settings, monkeypatch):
    # given more overdue orders than one batch of the reminder run takes
    settings.APPROVAL_REMINDER_HOURS = 24
    monkeypatch.setattr(reminders, "BATCH", 3)
    example = source_example()
    orders = [example.place("2500.00") for _ in range(7)]
    opened = ApprovalStep.objects.filter(status=StepStatus.OPEN).latest("opened_at").opened_at

    # when the periodic run comes a day later
    queued = approval_reminders_send(now=opened + timedelta(hours=25))

    # then each of them is reminded once, and a second run adds nothing
    assert queued == 7
    assert reminded_steps() == {order.number for order in orders}
    assert approval_reminders_send(now=opened + timedelta(hours=26)) == 0
    # and the next period reminds them all again
    assert approval_reminders_send(now=opened + timedelta(hours=49)) == 7


def test_a_reminder_run_skips_steps_decided_meanwhile(settings):
    settings.APPROVAL_REMINDER_HOURS = 24
    example = source_example()
    waiting, decided = example.place("2500.00"), example.place("2500.00")
    ApprovalStep.objects.filter(order=decided).update(status=StepStatus.CLOSED)
    opened = ApprovalStep.objects.get(order=waiting).opened_at

    assert approval_reminders_send(now=opened + timedelta(hours=25)) == 1
    assert reminded_steps() == {waiting.number}
