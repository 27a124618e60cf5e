"""An outage on the other side delays messages, loses none, fails none until the schedule is spent.

Django's own SMTP backend talks to a real SMTP server on loopback (``smtp.py``)
and webhooks post to a real receiver (``receiver.py``); the clock is moved
(time-machine) a minute at a time, and at each minute beat's sweep runs as it
would. The schedule is the project's default one (NOTIFICATION_*, WEBHOOK_*).
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from notifications.models import (
    DeliveryStatus,
    Notification,
    NotificationStatus,
    WebhookDelivery,
    WebhookEndpoint,
)
from notifications.rendering import message_id
from notifications.services import (
    EMAIL,
    WEBHOOK,
    notification_resend,
    webhook_enqueue,
)
from notifications.tasks import sweep_outbox
from orders.notify import ORDER_PLACED_EVENT
from tests.factories import BuyerFactory, OrderFactory, StaffFactory
from tests.notifications.receiver import free_port, running_receiver
from tests.notifications.smtp import SmtpServer
from tests.notifications.test_outbox import enqueue

pytestmark = pytest.mark.django_db

START = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def smtp(settings):
    """The portal sends through Django's SMTP backend to a server of the test's own, down
    until the test starts it."""
    server = SmtpServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()


def beat_for(clock, minutes: int, *, step: int = 1) -> None:
    """Move the clock on ``minutes``, running beat's sweep every ``step`` minutes."""
    for _ in range(0, minutes, step):
        clock.shift(timedelta(minutes=step))
        sweep_outbox.apply()


def statuses(rows) -> set[str]:
    return set(
        type(rows[0]).objects.filter(pk__in=[r.pk for r in rows]).values_list("status", flat=True)
    )


def test_the_schedules_span_a_day_not_minutes():
    email, webhook = EMAIL.schedule(), WEBHOOK.schedule()

    # 1, 2, 4, 8, 16, 32 minutes, then every hour: 30 attempts over a day
    assert len(email) == 30
    assert email[:7] == [timedelta(minutes=m) for m in (0, 1, 3, 7, 15, 31, 63)]
    assert email[-1] == timedelta(hours=24, minutes=3)
    assert email[-1] - email[-2] == timedelta(hours=1)
    # 30 s, 1, 2, 4, 8, 16, 32 minutes, then every hour
    assert len(webhook) == 30
    assert webhook[:3] == [timedelta(0), timedelta(seconds=30), timedelta(seconds=90)]
    assert webhook[-1] == timedelta(hours=23, minutes=3, seconds=30)


def test_an_smtp_outage_of_half_an_hour_delays_every_email_and_fails_none(
    smtp, django_capture_on_commit_callbacks
):
    order = OrderFactory()
    people = [*BuyerFactory.create_batch(2, company=order.company), StaffFactory()]
    with time_machine.travel(START, tick=False) as clock:
        # given the mail server is down: nothing listens on its port
        # when two events are told to three people (in-process: tried at once)
        with django_capture_on_commit_callbacks(execute=True):
            rows = enqueue(order, people, key="approved") + enqueue(order, people, key="edited")
        assert len(rows) == 6
        for row in Notification.objects.filter(pk__in=[r.pk for r in rows]):
            assert (row.status, row.attempts) == (NotificationStatus.PENDING, 1)
            assert "ConnectionRefusedError" in row.last_error
            assert row.next_attempt_at == START + timedelta(minutes=1)

        # and beat sweeps every minute for ten minutes while it stays down, then for
        # twenty while it is up but greets every connection with "421 try again later"
        beat_for(clock, 10)
        smtp.start(refusing=True)
        beat_for(clock, 20)

        # then nothing was sent and nothing failed: every email waits for its next attempt
        assert statuses(rows) == {NotificationStatus.PENDING}
        assert smtp.connections > 0 and smtp.messages == []
        assert "SMTPConnectError" in Notification.objects.get(pk=rows[0].pk).last_error

        # when the server accepts again, and beat goes on for an hour
        smtp.start(refusing=False)
        beat_for(clock, 60)

        # then every email arrived exactly once, each with its row's Message-ID
        assert statuses(rows) == {NotificationStatus.SENT}
        sent = Notification.objects.filter(pk__in=[r.pk for r in rows]).select_related("recipient")
        assert sorted(m["Message-ID"] for m in smtp.messages) == sorted(message_id(r) for r in sent)
        assert sorted((m["To"], m["X-Portal-Notification"]) for m in smtp.messages) == sorted(
            (r.recipient.email, str(r.pk)) for r in sent
        )
        assert all(r.sent_at is not None and r.last_error == "" for r in sent)

        # and a day of sweeps later, none is sent again
        beat_for(clock, 24 * 60, step=30)
        assert len(smtp.messages) == 6


def test_an_outage_longer_than_the_schedule_fails_an_email_at_its_last_attempt(
    smtp, django_capture_on_commit_callbacks
):
    order = OrderFactory()
    with time_machine.travel(START, tick=False) as clock:
        # given the mail server is down when an email is written, and stays down
        with django_capture_on_commit_callbacks(execute=True):
            (row,) = enqueue(order, [order.placed_by])

        # when beat sweeps (every five minutes here) until all attempts but the last are made
        for _ in range(2 * 24 * 12):
            if Notification.objects.get(pk=row.pk).attempts == EMAIL.max_attempts - 1:
                break
            beat_for(clock, 5, step=5)

        # then it still waits for that last attempt, due a day after the first
        row.refresh_from_db()
        assert (row.status, row.attempts) == (NotificationStatus.PENDING, EMAIL.max_attempts - 1)
        assert row.next_attempt_at >= START + EMAIL.schedule()[-1]
        clock.move_to(row.next_attempt_at - timedelta(minutes=1))
        sweep_outbox.apply()
        assert Notification.objects.get(pk=row.pk).status == NotificationStatus.PENDING

        # when the last attempt is due and fails too
        clock.move_to(row.next_attempt_at)
        sweep_outbox.apply()

        # then it is failed, with its error, for a site admin to send again
        row.refresh_from_db()
        assert (row.status, row.attempts) == (NotificationStatus.FAILED, EMAIL.max_attempts)
        assert row.next_attempt_at is None
        assert "ConnectionRefusedError" in row.last_error
        smtp.start()
        with django_capture_on_commit_callbacks(execute=True):
            assert notification_resend(notification_ids=[row.pk]) == 1
        row.refresh_from_db()
        assert (row.status, row.attempts) == (NotificationStatus.SENT, 1)
        assert len(smtp.messages) == 1


def test_a_receiver_down_for_half_an_hour_gets_every_event_once():
    port = free_port()  # nothing listens there yet: connection refused
    WebhookEndpoint.objects.create(
        name="ERP", url=f"http://127.0.0.1:{port}/hooks", events=[ORDER_PLACED_EVENT]
    )
    with time_machine.travel(START, tick=False) as clock:
        ids = [
            *webhook_enqueue(event="order.placed", key="o1", reference="PO-1", data=dict),
            *webhook_enqueue(event="order.placed", key="o2", reference="PO-2", data=dict),
        ]
        rows = list(WebhookDelivery.objects.filter(pk__in=ids))

        # the first attempts come from the sweep (this test's commit never dispatches)
        beat_for(clock, 30)
        assert statuses(rows) == {DeliveryStatus.PENDING}
        assert all(r.attempts > 1 for r in WebhookDelivery.objects.filter(pk__in=ids))

        with running_receiver(port=port) as receiver:
            beat_for(clock, 60)

    assert statuses(rows) == {DeliveryStatus.DELIVERED}
    assert sorted(r.headers["X-Portal-Event-Id"] for r in receiver.received) == sorted(
        str(r.event_id) for r in rows
    )
