"""Through a real Celery worker on Redis: what production does, not eager mode."""

import time

import pytest
from django.urls import reverse

from approvals.notify import ORDER_WAITING
from notifications.models import Notification, NotificationStatus
from notifications.services import notification_sweep
from orders.models import Order, OrderStatus
from tests.approvals.factories import source_example
from tests.conftest import test_broker_url
from tests.factories import PASSWORD
from tests.notifications.conftest import (
    DEAD_BROKER,
    point_celery_at,
    real_worker,
    running_beat,
    worker_drained,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.redis, pytest.mark.postgres]


def wait_for(condition, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def place_through_the_page(client, example, quantity: int, buyer=None) -> Order:
    """Post the order form as ``buyer`` (the example's buyer by default); the new order."""
    client.login(username=(buyer or example.buyer).email, password=PASSWORD)
    response = client.post(
        reverse("orders:create"),
        {
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-sku": example.unit.sku,
            "lines-0-quantity": str(quantity),
        },
    )
    assert response.status_code == 302
    return Order.objects.latest("pk")


def test_a_real_worker_mails_the_approver_of_a_placed_order(client, celery_worker, mailoutbox):
    # given the source example's tiers
    example = source_example()

    # when a buyer places a $3,500 order through the page
    order = place_through_the_page(client, example, 3500)

    # then the worker sends approver 2 — and nobody else — an email
    assert order.status == OrderStatus.PENDING_APPROVAL
    assert wait_for(lambda: len(mailoutbox) >= 1)
    assert worker_drained()  # and nothing else arrives
    (message,) = mailoutbox
    assert message.to == [example.approver2.email]
    assert order.number in message.subject
    assert f"/approvals/orders/{order.number}/" in message.body
    row = Notification.objects.get()
    assert (row.status, row.kind) == (NotificationStatus.SENT, ORDER_WAITING)


def test_a_dead_smtp_server_neither_slows_nor_fails_placing_an_order(client, broker, settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_outbox.RaisingBackend"
    example = source_example()

    started = time.monotonic()
    order = place_through_the_page(client, example, 3500)
    elapsed = time.monotonic() - started

    # the request only queued the mail; no worker has even tried yet
    assert order.status == OrderStatus.PENDING_APPROVAL
    assert elapsed < 2.0
    row = Notification.objects.get()
    assert (row.status, row.attempts) == (NotificationStatus.PENDING, 0)


def test_a_broker_outage_delays_mail_but_loses_none(client, broker, settings, mailoutbox):
    settings.NOTIFICATION_SWEEP_AFTER_SECONDS = 0
    example = source_example()

    # given the broker is unreachable while the order is placed
    point_celery_at(DEAD_BROKER)
    order = place_through_the_page(client, example, 6000)

    # then the order is saved and its notification waits in the outbox
    assert order.status == OrderStatus.PENDING_APPROVAL
    row = Notification.objects.get()
    assert row.status == NotificationStatus.PENDING
    assert row.recipient == example.approver3

    # when the broker is back, the sweep queues it and a real worker sends it
    point_celery_at(test_broker_url())
    assert notification_sweep() == 1
    with real_worker():
        assert wait_for(lambda: len(mailoutbox) == 1)
        assert wait_for(
            lambda: Notification.objects.get(pk=row.pk).status == NotificationStatus.SENT
        )
    assert mailoutbox[0].to == [example.approver3.email]


def test_a_worker_retries_an_smtp_error_with_backoff_then_gives_up(broker, settings):
    # a failed attempt is due again after the backoff (none here), and beat's sweep queues it
    settings.EMAIL_BACKEND = "tests.notifications.test_outbox.RaisingBackend"
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 0
    example = source_example()
    example.place("2500.00")  # queued on commit through the real broker
    row = Notification.objects.get()

    with real_worker(), running_beat():
        assert wait_for(
            lambda: Notification.objects.get(pk=row.pk).status == NotificationStatus.FAILED
        )

    row.refresh_from_db()
    assert row.attempts == 3
    assert "SMTPServerDisconnected" in row.last_error
