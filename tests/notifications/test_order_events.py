"""Who is told of each order event: exactly the people who act next."""

from datetime import timedelta

import pytest
from django.utils import timezone

from approvals.models import ApprovalStep, Decision, StepStatus
from approvals.notify import APPROVAL_OVERDUE, APPROVAL_REMINDER, ORDER_WAITING
from approvals.services import approval_step_decide
from approvals.services.reminders import approval_reminders_send
from companies.models import ApprovalMode
from notifications.models import (
    Notification,
    NotificationPreference,
    NotificationStatus,
)
from orders.notify import ORDER_APPROVED, ORDER_CANCELLED, ORDER_EDITED, ORDER_REJECTED
from orders.services import LineRequest, order_cancel, order_edit
from tests.approvals.factories import source_example
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def told(kind=None):
    rows = Notification.objects.all()
    if kind:
        rows = rows.filter(kind=kind)
    return {n.recipient for n in rows}


def open_step(order):
    return ApprovalStep.objects.get(order=order, status=StepStatus.OPEN)


def decide(order, approver, decision=Decision.APPROVE, comment=""):
    order.refresh_from_db()
    return approval_step_decide(
        step_id=open_step(order).pk,
        actor=approver,
        decision=decision,
        comment=comment,
        seen_version=order.version,
    )


def test_an_order_waiting_tells_only_the_respective_approver():
    example = source_example()

    example.place("3500.00")

    assert told() == {example.approver2}
    assert told(ORDER_WAITING) == {example.approver2}


def test_an_auto_approved_order_tells_nobody():
    example = source_example()

    example.place("1500.00")

    assert not Notification.objects.exists()


def test_each_step_of_a_chain_tells_its_approver_when_it_opens():
    example = source_example(ApprovalMode.ESCALATING)
    order = example.place("6000.00")
    assert told(ORDER_WAITING) == {example.approver1}

    decide(order, example.approver1)
    assert told(ORDER_WAITING) == {example.approver1, example.approver2}

    decide(order, example.approver2)
    decide(order, example.approver3)
    assert told(ORDER_WAITING) == set(example.approvers)
    assert told(ORDER_APPROVED) == {example.buyer}


def test_a_rejection_tells_the_buyer_with_the_comment():
    example = source_example()
    order = example.place("2500.00")

    decide(order, example.approver1, decision=Decision.REJECT, comment="Over this month's budget")

    assert told(ORDER_REJECTED) == {example.buyer}
    row = Notification.objects.get(kind=ORDER_REJECTED)
    assert row.context["quoted"] == "Over this month's budget"
    assert example.approver1 not in told(ORDER_REJECTED)


def test_editing_a_waiting_order_tells_the_approvers_who_had_it():
    example = source_example()
    order = example.place("3500.00")

    order_edit(
        order_id=order.pk,
        actor=example.buyer,
        lines=[LineRequest(sku=example.unit.sku, quantity=6000)],
        seen_version=order.version,
    )

    assert told(ORDER_EDITED) == {example.approver2}
    # and the order now waits for approver 3, who is told it waits for them
    assert told(ORDER_WAITING) == {example.approver2, example.approver3}


def test_cancelling_a_waiting_order_tells_the_approvers_who_had_it():
    example = source_example()
    order = example.place("2500.00")

    order_cancel(order_id=order.pk, actor=example.buyer, seen_version=order.version)

    assert told(ORDER_CANCELLED) == {example.approver1}


def test_an_order_only_site_admins_can_decide_tells_the_site_admins():
    example = source_example()
    admin = StaffFactory()
    StaffFactory(is_active=False)

    # approver 3 is the only approver of the top tier: their own order goes to site admins
    example.place("6000.00", buyer=example.approver3)

    assert told(ORDER_WAITING) == {admin}


def test_reminders_once_per_period_then_site_admins_too(settings):
    settings.APPROVAL_REMINDER_HOURS = 24
    settings.APPROVAL_ESCALATE_HOURS = 72
    example = source_example()
    admin = StaffFactory()
    order = example.place("2500.00")
    opened = open_step(order).opened_at

    approval_reminders_send(now=opened + timedelta(hours=23))
    assert not told(APPROVAL_REMINDER)

    approval_reminders_send(now=opened + timedelta(hours=25))
    approval_reminders_send(now=opened + timedelta(hours=30))  # same period: nothing new
    assert Notification.objects.filter(kind=APPROVAL_REMINDER).count() == 1
    assert told(APPROVAL_REMINDER) == {example.approver1}

    approval_reminders_send(now=opened + timedelta(hours=73))
    assert Notification.objects.filter(kind=APPROVAL_REMINDER).count() == 2
    assert told(APPROVAL_OVERDUE) == {admin}


def test_an_approver_who_turned_reminders_off_sees_them_but_gets_no_email():
    example = source_example()
    NotificationPreference.objects.create(user=example.approver1, email_off=[APPROVAL_REMINDER])
    example.place("2500.00")

    approval_reminders_send(now=timezone.now() + timedelta(days=2))

    reminder = Notification.objects.get(kind=APPROVAL_REMINDER)
    assert reminder.recipient == example.approver1
    assert reminder.status == NotificationStatus.INBOX_ONLY
    # the order still waits for them, and that email is never switched off
    waiting = Notification.objects.get(kind=ORDER_WAITING)
    assert waiting.status != NotificationStatus.INBOX_ONLY
