import pytest

from notifications.models import NotificationStatus
from notifications.services import SendResult, notification_enqueue, notification_send
from orders.notify import ORDER_APPROVED
from tests.factories import CompanyFactory, OrderFactory

pytestmark = pytest.mark.django_db


def queue_for(order, person):
    (row,) = notification_enqueue(
        kind=ORDER_APPROVED,
        recipients=[person],
        key="k",
        subject="Approved",
        company_id=order.company_id,
        reference=order.number,
        path=f"/orders/{order.number}/",
        context={},
    )
    return row


def test_a_person_deactivated_after_the_mail_was_queued_gets_none(mailoutbox):
    order = OrderFactory()
    row = queue_for(order, order.placed_by)
    order.placed_by.is_active = False
    order.placed_by.save()

    assert notification_send(notification_id=row.pk) is SendResult.FAILED

    row.refresh_from_db()
    assert row.status == NotificationStatus.FAILED
    assert "deactivated" in row.last_error
    assert mailoutbox == []


def test_a_person_who_moved_company_after_the_mail_was_queued_gets_none(mailoutbox):
    order = OrderFactory()
    row = queue_for(order, order.placed_by)
    order.placed_by.company = CompanyFactory()
    order.placed_by.save()

    notification_send(notification_id=row.pk)

    assert mailoutbox == []
