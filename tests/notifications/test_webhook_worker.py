"""Webhooks end to end: a page's action, a real Celery worker on Redis, a real receiver."""

import time

import pytest
from django.urls import reverse

from approvals.models import ApprovalStep, Decision, StepStatus
from notifications import dispatch
from notifications.kinds import webhook_event_values
from notifications.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from orders.models import OrderStatus
from orders.notify import ORDER_APPROVED_EVENT, ORDER_PLACED_EVENT
from tests.approvals.factories import source_example
from tests.notifications.conftest import real_worker, running_beat, worker_drained
from tests.notifications.receiver import running_receiver, verify
from tests.notifications.test_worker import place_through_the_page, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.redis, pytest.mark.postgres]

SECRET = "shared-with-the-erp"


@pytest.fixture
def hooks_broker(broker):
    yield broker
    dispatch.flush(timeout=15)


def erp(url: str, *events: str) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        name="ERP", url=url, secret=SECRET, events=list(events) or webhook_event_values()
    )


def approve_through_the_page(client, order, approver):
    order.refresh_from_db()
    step = ApprovalStep.objects.get(order=order, status=StepStatus.OPEN)
    client.force_login(approver)
    started = time.monotonic()
    response = client.post(
        reverse("approvals:decide", args=[order.number]),
        {"step": step.pk, "version": order.version, "decision": Decision.APPROVE, "comment": ""},
    )
    elapsed = time.monotonic() - started
    assert response.status_code == 302
    return elapsed


def test_an_approver_approving_in_the_portal_sends_a_signed_order_approved(client, hooks_broker):
    example = source_example()
    order = example.place("2500.00")
    with running_receiver() as receiver, real_worker():
        erp(receiver.url, ORDER_APPROVED_EVENT)

        approve_through_the_page(client, order, example.approver1)

        assert receiver.wait_for(1)
        assert wait_for(lambda: WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED)
        assert worker_drained()  # and nothing else arrives

    (got,) = receiver.received
    assert verify(got.headers, got.body, SECRET)
    assert got.json["type"] == "order.approved"
    assert got.json["data"]["number"] == order.number
    assert got.json["data"]["status"] == OrderStatus.APPROVED
    assert got.headers["X-Portal-Event-Id"] == got.json["id"]


def test_a_500_then_a_200_through_the_worker_is_delivered_once(client, hooks_broker, settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0
    example = source_example()
    # the retry: due at once (no backoff), queued by beat's sweep
    with running_receiver() as receiver, real_worker(), running_beat():
        erp(receiver.url, ORDER_PLACED_EVENT)
        receiver.answer_with((500, 0))

        place_through_the_page(client, example, 100)

        assert wait_for(lambda: WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED)
        assert worker_drained()

    assert len(receiver.received) == 2
    assert len({r.headers["X-Portal-Event-Id"] for r in receiver.received}) == 1
    row = WebhookDelivery.objects.get()
    assert (row.attempts, row.last_response_code) == (2, 200)


def test_a_slow_receiver_never_slows_the_page(client, hooks_broker, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0
    example = source_example()
    order = example.place("2500.00")
    with running_receiver() as receiver, real_worker(), running_beat():
        erp(receiver.url, ORDER_APPROVED_EVENT)
        receiver.answer_with((200, 3.0))  # past the timeout: the worker gives up and retries

        elapsed = approve_through_the_page(client, order, example.approver1)

        assert elapsed < 1.0
        assert wait_for(lambda: WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED)
    row = WebhookDelivery.objects.get()
    assert row.attempts == 2


def test_in_process_mode_posts_off_the_request_thread(client, settings):
    # no broker: tasks run in-process, but a delivery never runs in the request
    settings.CELERY_TASK_ALWAYS_EAGER = True
    example = source_example()
    with running_receiver() as receiver:
        erp(receiver.url, ORDER_PLACED_EVENT)
        receiver.answer_with((200, 2.0))

        started = time.monotonic()
        place_through_the_page(client, example, 100)
        elapsed = time.monotonic() - started

        assert elapsed < 1.0
        assert receiver.wait_for(1)
        assert dispatch.flush(timeout=15)
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED
