"""A broker that accepts connections but never answers must not stall a page.

A Redis of the test's own is paused with SIGSTOP: connecting still succeeds (the
kernel accepts), every answer hangs. Placing an order that tells three site
admins must answer as fast as with a healthy broker, and once the broker is
back each email still arrives, once.
"""

import time

import pytest

from notifications.models import Notification, NotificationStatus
from notifications.services import notification_sweep
from tests.approvals.factories import source_example
from tests.factories import StaffFactory
from tests.notifications.conftest import real_worker, worker_drained
from tests.notifications.test_worker import place_through_the_page, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.redis, pytest.mark.postgres]


def timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def test_a_hung_broker_neither_stalls_placing_an_order_nor_loses_its_emails(
    client, private_broker, settings, mailoutbox
):
    settings.NOTIFICATION_SWEEP_AFTER_SECONDS = 0
    # given three site admins, who are told of an order only they can approve
    example = source_example()
    admins = StaffFactory.create_batch(3)

    def place():
        # approver 3 is the only approver of the top tier: their order goes to site admins
        return place_through_the_page(client, example, 6000, buyer=example.approver3)

    place()  # the first request of the process pays for imports and templates
    _, healthy = timed(place)

    # when the broker hangs while another such order is placed
    private_broker.hang()
    order, hung = timed(place)

    # then the page answers within a second of its healthy time
    assert hung < healthy + 1.0, f"healthy {healthy:.2f}s, hung broker {hung:.2f}s"
    rows = Notification.objects.filter(reference=order.number)
    assert {row.recipient for row in rows} == set(admins)
    assert all(row.status == NotificationStatus.PENDING for row in rows)

    # when the broker is back, the sweep queues what is pending and a worker sends it
    private_broker.recover()
    notification_sweep()
    with real_worker():
        assert wait_for(
            lambda: not Notification.objects.exclude(status=NotificationStatus.SENT).exists(),
            timeout=30,
        )
        assert worker_drained()  # a second copy of a task is handled by now

    # then every email of the three orders arrived, each exactly once
    sent = sorted((m.to[0], m.subject) for m in mailoutbox)
    expected = sorted(
        (row.recipient.email, row.subject)
        for row in Notification.objects.select_related("recipient")
    )
    assert len(expected) == 9
    assert sent == expected
    assert {(m.to[0], m.subject) for m in mailoutbox} >= {
        (admin.email, row.subject) for admin in admins for row in rows[:1]
    }
