"""Webhooks: queued with the change they announce, posted signed to a real HTTP receiver.

The receiver is http.server on a loopback port, in a thread of the test. The
sends here run in the test's thread (``webhook_send``, or the sweep in
in-process mode); ``test_webhook_worker.py`` sends through a real Celery worker.
"""

import json
import uuid
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from approvals.models import ApprovalStep, Decision, StepStatus
from approvals.services import approval_step_decide
from notifications.kinds import webhook_event_values
from notifications.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from notifications.services import SendResult, webhook_resend, webhook_send, webhook_sweep
from notifications.services.webhooks import WEBHOOK, event_body, sign
from orders.notify import (
    ORDER_APPROVED_EVENT,
    ORDER_CANCELLED_EVENT,
    ORDER_FULFILLED_EVENT,
    ORDER_PLACED_EVENT,
    ORDER_REJECTED_EVENT,
)
from orders.services import order_cancel, order_fulfil
from quotations.models import QuoteStatus
from quotations.notify import QUOTE_ACCEPTED_EVENT, QUOTE_OFFERED_EVENT, QUOTE_REQUESTED_EVENT
from quotations.services import quote_accept
from tests.approvals.factories import source_example
from tests.factories import StaffFactory
from tests.notifications.receiver import free_port, running_receiver, verify
from tests.quotations.factories import DeskStaffFactory, offer, request_quote

pytestmark = pytest.mark.django_db

SECRET = "s3cret-for-the-receiver"


def endpoint(url="http://127.0.0.1:9/hooks", events=None, **extra) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        name="ERP",
        url=url,
        secret=SECRET,
        events=webhook_event_values() if events is None else events,
        **extra,
    )


def queued(event=None) -> list[WebhookDelivery]:
    rows = WebhookDelivery.objects.order_by("id")
    return list(rows.filter(event=event) if event else rows)


def decide(order, approver, decision=Decision.APPROVE, comment=""):
    order.refresh_from_db()
    return approval_step_decide(
        step_id=ApprovalStep.objects.get(order=order, status=StepStatus.OPEN).pk,
        actor=approver,
        decision=decision,
        comment=comment,
        seen_version=order.version,
    )


# --- Queueing: the same code paths as the emails, in the same transaction ---------


def test_each_order_event_is_queued_once_per_subscribed_endpoint():
    erp = endpoint()
    only_approved = endpoint(events=[ORDER_APPROVED_EVENT])
    endpoint(events=[ORDER_APPROVED_EVENT], is_active=False)
    example = source_example()

    # placed below every threshold: placed and approved at once
    small = example.place("1500.00")
    assert [(d.event, d.endpoint) for d in queued()] == [
        (ORDER_PLACED_EVENT, erp),
        (ORDER_APPROVED_EVENT, erp),
        (ORDER_APPROVED_EVENT, only_approved),
    ]
    WebhookDelivery.objects.all().delete()

    # waiting: placed only; approved by its approver: approved
    order = example.place("2500.00")
    assert [d.event for d in queued()] == [ORDER_PLACED_EVENT]
    decide(order, example.approver1)
    assert {d.endpoint for d in queued(ORDER_APPROVED_EVENT)} == {erp, only_approved}

    # cancelled, fulfilled, rejected
    order_cancel(order_id=small.pk, actor=example.buyer, seen_version=small.version)
    fulfilled = example.place("100.00")
    order_fulfil(order_id=fulfilled.pk, actor=StaffFactory())
    rejected = example.place("2600.00")
    decide(rejected, example.approver1, Decision.REJECT, "Too much.")
    for event in (
        ORDER_CANCELLED_EVENT,
        ORDER_FULFILLED_EVENT,
        ORDER_REJECTED_EVENT,
    ):
        assert [d.endpoint for d in queued(event)] == [erp]


def test_an_order_delivery_carries_the_order():
    endpoint()
    example = source_example()

    order = example.place("2500.50")
    decide(order, example.approver1)

    order.refresh_from_db()
    (row,) = queued(ORDER_APPROVED_EVENT)
    assert row.reference == order.number
    assert row.payload["type"] == "order.approved"
    assert row.payload["id"] == str(row.event_id)
    data = row.payload["data"]
    assert data["number"] == order.number
    assert data["status"] == "approved"
    assert data["version"] == order.version
    assert data["company"] == {"id": example.company.pk, "name": example.company.name}
    assert data["total"] == "2500.50"
    assert {(line["sku"], line["quantity"]) for line in data["lines"]} == {
        (example.unit.sku, 2500),
        (example.cent.sku, 50),
    }


def test_quote_events_are_queued_with_the_quote():
    endpoint()
    example = source_example()
    desk = DeskStaffFactory()

    quote = request_quote(example.buyer, (example.unit, 10, "0.90"))
    offer(quote, desk, {example.unit: "0.95"})
    quote.refresh_from_db()
    quote_accept(quote_id=quote.pk, actor=example.buyer, seen_version=quote.version)

    assert [d.event for d in queued()] == [
        QUOTE_REQUESTED_EVENT,
        QUOTE_OFFERED_EVENT,
        QUOTE_ACCEPTED_EVENT,
    ]
    accepted = queued(QUOTE_ACCEPTED_EVENT)[0].payload["data"]
    assert accepted["status"] == QuoteStatus.ACCEPTED
    assert accepted["total"] == "9.50"
    assert accepted["lines"][0]["offered_unit_price"] == "0.95"


def test_nothing_is_queued_without_a_subscribed_active_endpoint():
    endpoint(events=[QUOTE_REQUESTED_EVENT])
    endpoint(is_active=False)
    example = source_example()

    example.place("1500.00")

    assert queued() == []


def test_a_change_rolled_back_queues_no_delivery():
    endpoint()
    example = source_example()

    with pytest.raises(RuntimeError), transaction.atomic():
        example.place("1500.00")
        raise RuntimeError("the caller failed after placing")

    assert queued() == []


# --- Posting to a real receiver ------------------------------------------------------


def test_the_receiver_gets_a_signed_event_it_can_verify():
    example = source_example()
    with running_receiver() as receiver:
        endpoint(url=receiver.url, events=[ORDER_APPROVED_EVENT])
        order = example.place("1500.00")
        (row,) = queued()

        assert webhook_send(delivery_id=row.pk) is SendResult.SENT

    (got,) = receiver.received
    assert verify(got.headers, got.body, SECRET)
    assert not verify(got.headers, got.body, "another secret")
    assert not verify(got.headers, got.body.replace(b"1500.00", b"1.00"), SECRET)
    assert got.headers["X-Portal-Event-Id"] == str(row.event_id)
    assert got.headers["X-Portal-Event"] == "order.approved"
    assert got.headers["Content-Type"] == "application/json"
    assert got.json["type"] == "order.approved"
    assert got.json["data"]["number"] == order.number
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_response_code) == (DeliveryStatus.DELIVERED, 1, 200)
    assert row.sent_at is not None and row.next_attempt_at is None


def test_an_old_signature_is_refused_by_the_documented_check():
    body = b'{"id":"x"}'
    old = int(timezone.now().timestamp()) - 3600
    headers = {"X-Portal-Signature": sign(secret=SECRET, timestamp=old, body=body)}

    assert not verify(headers, body, SECRET)


def test_a_500_is_retried_with_backoff_and_delivered_once(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    example = source_example()
    with running_receiver() as receiver:
        endpoint(url=receiver.url, events=[ORDER_PLACED_EVENT])
        receiver.answer_with((500, 0))
        example.place("1500.00")
        (row,) = queued()

        # the first attempt meets a 500: pending again, due after the backoff
        before = timezone.now()
        assert webhook_send(delivery_id=row.pk) is SendResult.RETRY
        row.refresh_from_db()
        assert (row.status, row.attempts, row.last_response_code) == (
            DeliveryStatus.PENDING,
            1,
            500,
        )
        assert "HTTP 500" in row.last_error
        assert row.next_attempt_at >= before + timedelta(seconds=30)

        # the retry is delivered; a task that runs once more sends nothing
        assert webhook_send(delivery_id=row.pk) is SendResult.SENT
        assert webhook_send(delivery_id=row.pk) is SendResult.SKIPPED
        assert webhook_sweep(now=timezone.now() + timedelta(days=1)) == 0

    assert [r.headers["X-Portal-Event-Id"] for r in receiver.received] == [str(row.event_id)] * 2
    assert [r.body for r in receiver.received][0] == receiver.received[1].body
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_response_code) == (DeliveryStatus.DELIVERED, 2, 200)


def test_backoff_doubles_up_to_its_cap(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 10
    settings.WEBHOOK_RETRY_MAX_SECONDS = 100

    assert [WEBHOOK.backoff(n).total_seconds() for n in range(1, 7)] == [10, 20, 40, 80, 100, 100]


def test_a_receiver_that_is_down_loses_nothing_and_gets_it_when_it_is_up(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0
    settings.WEBHOOK_SWEEP_AFTER_SECONDS = 0
    port = free_port()  # nothing listens there: connection refused
    endpoint(url=f"http://127.0.0.1:{port}/hooks", events=[ORDER_PLACED_EVENT])
    source_example().place("1500.00")
    (row,) = queued()

    assert webhook_send(delivery_id=row.pk) is SendResult.RETRY
    row.refresh_from_db()
    assert row.status == DeliveryStatus.PENDING
    assert "Connection refused" in row.last_error or "URLError" in row.last_error
    assert row.last_response_code is None

    with running_receiver(port=port) as receiver:
        assert webhook_sweep() == 1  # in-process: the sweep's task runs here

    (got,) = receiver.received
    assert got.headers["X-Portal-Event-Id"] == str(row.event_id)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (DeliveryStatus.DELIVERED, 2)


def test_a_slow_receiver_times_out_and_is_tried_again(settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
    example = source_example()
    with running_receiver() as receiver:
        endpoint(url=receiver.url, events=[ORDER_PLACED_EVENT])
        receiver.answer_with((200, 2.0))  # answers, but far too late
        example.place("1500.00")
        (row,) = queued()

        assert webhook_send(delivery_id=row.pk) is SendResult.RETRY
        row.refresh_from_db()
        assert row.status == DeliveryStatus.PENDING
        assert "timed out" in row.last_error.lower()

        assert webhook_send(delivery_id=row.pk) is SendResult.SENT


def test_attempts_run_out_and_the_delivery_fails_then_a_resend_delivers_it(settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    example = source_example()
    with running_receiver() as receiver:
        endpoint(url=receiver.url, events=[ORDER_PLACED_EVENT])
        receiver.answer_with((503, 0), (500, 0))
        example.place("1500.00")
        (row,) = queued()

        assert webhook_send(delivery_id=row.pk) is SendResult.RETRY
        assert webhook_send(delivery_id=row.pk) is SendResult.FAILED
        row.refresh_from_db()
        assert (row.status, row.last_response_code, row.next_attempt_at) == (
            DeliveryStatus.FAILED,
            500,
            None,
        )

        # a site admin re-sends it (in-process: posted by the dispatcher's thread)
        assert webhook_resend(delivery_ids=[row.pk]) == 1
        row.refresh_from_db()
        assert (row.status, row.attempts) == (DeliveryStatus.PENDING, 0)
        assert webhook_send(delivery_id=row.pk) is SendResult.SENT

    assert len({r.headers["X-Portal-Event-Id"] for r in receiver.received}) == 1


def test_a_redirect_is_not_followed():
    with running_receiver() as receiver:
        endpoint(url=receiver.url, events=[ORDER_PLACED_EVENT])
        receiver.answer_with((302, 0))
        source_example().place("1500.00")
        (row,) = queued()

        assert webhook_send(delivery_id=row.pk) is SendResult.RETRY

    row.refresh_from_db()
    assert row.last_response_code == 302


def test_a_switched_off_endpoint_is_not_posted_to():
    erp = endpoint(events=[ORDER_PLACED_EVENT])
    source_example().place("1500.00")
    (row,) = queued()
    WebhookEndpoint.objects.filter(pk=erp.pk).update(is_active=False)

    assert webhook_send(delivery_id=row.pk) is SendResult.FAILED
    row.refresh_from_db()
    assert row.status == DeliveryStatus.FAILED
    assert row.attempts == 0


def test_an_abandoned_claim_is_released_by_the_sweep(settings):
    settings.WEBHOOK_CLAIM_TIMEOUT_SECONDS = 60
    settings.WEBHOOK_SWEEP_AFTER_SECONDS = 0
    with running_receiver() as receiver:
        endpoint(url=receiver.url, events=[ORDER_PLACED_EVENT])
        source_example().place("1500.00")
        (row,) = queued()
        # a worker claimed it and died
        WebhookDelivery.objects.filter(pk=row.pk).update(
            status=DeliveryStatus.SENDING,
            attempts=1,
            claimed_at=timezone.now() - timedelta(minutes=5),
        )

        assert webhook_sweep() == 1

    assert len(receiver.received) == 1
    row.refresh_from_db()
    assert row.status == DeliveryStatus.DELIVERED


def test_the_body_is_the_stored_payload_as_compact_json():
    payload = {"id": str(uuid.uuid4()), "type": "order.placed", "data": {"name": "Müller"}}

    assert json.loads(event_body(payload)) == payload
    assert b" " not in event_body(payload)


def test_orders_read_the_endpoints_from_the_cache_until_one_changes():
    erp = endpoint()
    example = source_example()
    example.place("10.00")  # warm: the company's first order reads more

    def endpoint_reads(total: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            example.place(total)
        return sum("notifications_webhookendpoint" in q["sql"] for q in ctx.captured_queries)

    assert endpoint_reads("1500.00") == 0  # placed and approved at once: read for neither
    erp.events = [ORDER_APPROVED_EVENT]
    erp.save()
    assert endpoint_reads("1600.00") == 1  # the change is seen at once
    assert endpoint_reads("1700.00") == 0
    assert [r.event for r in queued()][-2:] == ["order.approved", "order.approved"]
