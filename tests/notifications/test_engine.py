"""The outbox engine itself: what any channel gets by being one class that sends one row."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured

from notifications.models import (
    DeliveryStatus,
    Notification,
    NotificationStatus,
    WebhookDelivery,
    WebhookEndpoint,
)
from notifications.services import (
    EMAIL,
    AttemptFailed,
    Channel,
    SendResult,
    channels,
    engine,
    notification_resend,
    notification_sweep,
    outbox_sweep,
    register,
    webhook_enqueue,
)
from notifications.tasks import send_outbox_row
from tests.factories import OrderFactory
from tests.notifications.test_outbox import enqueue

pytestmark = pytest.mark.django_db

START = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)


class Ledger(Channel):
    """A channel of the test's own: it 'sends' a row by writing it down, refusing while
    ``refusing`` says so. Its rows borrow the webhook deliveries' table."""

    name = "ledger"
    model = WebhookDelivery
    settings_prefix = "LEDGER"
    related = ("endpoint",)

    def __init__(self):
        self.sent: list[int] = []
        self.refusing = False

    def send(self, row):
        if self.refusing:
            raise AttemptFailed("The ledger is closed.", last_response_code=503)
        self.sent.append(row.pk)
        return {"last_response_code": 201}

    def unsendable(self, row):
        return "" if row.reference != "GONE" else "Not sent: gone."


@pytest.fixture
def ledger(settings, monkeypatch):
    settings.LEDGER_MAX_ATTEMPTS = 3
    settings.LEDGER_RETRY_BASE_SECONDS = 600
    settings.LEDGER_RETRY_MAX_SECONDS = 900
    settings.LEDGER_SWEEP_AFTER_SECONDS = 60
    settings.LEDGER_CLAIM_TIMEOUT_SECONDS = 300
    monkeypatch.setattr(engine, "_channels", dict(engine._channels))  # registered for this test
    return register(Ledger())


def ledger_rows(*references: str) -> list[int]:
    endpoint = WebhookEndpoint.objects.create(name="Ledger", url="https://ledger.example.com/")
    return [
        pk
        for reference in references
        for pk in webhook_enqueue(
            event="order.placed",
            key=reference,
            reference=reference,
            data=dict,
            endpoints=[endpoint],
        )
    ]


def status_of(pk: int) -> tuple:
    return WebhookDelivery.objects.filter(pk=pk).values_list("status", "attempts").get()


def test_a_new_channel_is_one_class_and_gets_the_whole_engine(ledger):
    with time_machine.travel(START, tick=False) as clock:
        # given two rows, one of which can no longer be sent
        good, gone = ledger_rows("PO-1", "GONE")

        # when the task sends them by the channel's name
        ledger.refusing = True
        assert send_outbox_row.apply(args=["ledger", good]).get() == SendResult.RETRY.value
        assert send_outbox_row.apply(args=["ledger", gone]).get() == SendResult.FAILED.value

        # then the refused one waits the channel's own backoff, with what it answered
        row = WebhookDelivery.objects.get(pk=good)
        assert (row.status, row.attempts, row.last_response_code) == (
            DeliveryStatus.PENDING,
            1,
            503,
        )
        assert row.last_error == "The ledger is closed."
        assert row.next_attempt_at == START + timedelta(minutes=10)
        assert status_of(gone) == (DeliveryStatus.FAILED, 0)

        # and the sweep (beat's sweeps every registered channel) queues it only once
        # that wait is over (only the ledger's here: the webhooks' would post its rows)
        assert ledger in channels()
        clock.shift(timedelta(minutes=9))
        assert outbox_sweep(channel=ledger) == 0
        ledger.refusing = False
        clock.shift(timedelta(minutes=1))
        assert outbox_sweep(channel=ledger) == 1

        # then it is sent, once, and marked with what the channel recorded
        row.refresh_from_db()
        assert (row.status, row.attempts, row.last_response_code) == (
            DeliveryStatus.DELIVERED,
            2,
            201,
        )
        assert (row.sent_at, row.next_attempt_at, row.last_error) == (
            START + timedelta(minutes=10),
            None,
            "",
        )
        assert ledger.sent == [good]
        clock.shift(timedelta(days=1))
        assert outbox_sweep(channel=ledger) == 0


def test_the_last_attempt_a_channels_settings_allow_fails_the_row(ledger):
    (pk,) = ledger_rows("PO-1")
    ledger.refusing = True

    results = [send_outbox_row.apply(args=["ledger", pk]).get() for _ in range(4)]

    assert results == ["retry", "retry", "failed", "skipped"]
    row = WebhookDelivery.objects.get(pk=pk)
    assert (row.status, row.attempts, row.next_attempt_at) == (DeliveryStatus.FAILED, 3, None)


def test_a_channel_without_its_settings_says_which_is_missing():
    class Fax(Channel):
        name = "fax"
        model = Notification
        settings_prefix = "FAX"

    with pytest.raises(ImproperlyConfigured, match="FAX_MAX_ATTEMPTS"):
        Fax().setting("MAX_ATTEMPTS")


def test_backoff_doubles_from_its_base_up_to_its_cap(settings):
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 60
    settings.NOTIFICATION_RETRY_MAX_SECONDS = 3600

    assert [EMAIL.backoff(n).total_seconds() for n in (1, 2, 3, 6, 7, 30, 500)] == [
        60,
        120,
        240,
        1920,
        3600,
        3600,
        3600,
    ]


def test_the_sweep_leaves_a_new_row_to_its_dispatch_and_a_failed_one_to_its_wait(settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_outbox.RaisingBackend"
    order = OrderFactory()
    with time_machine.travel(START, tick=False) as clock:
        (row,) = enqueue(order, [order.placed_by])  # its dispatch at commit never ran

        # a row never tried waits NOTIFICATION_SWEEP_AFTER_SECONDS (120) for its dispatch
        clock.shift(timedelta(seconds=119))
        assert notification_sweep() == 0
        clock.shift(timedelta(seconds=1))
        assert notification_sweep() == 1  # in-process: tried here, and refused

        # a row that failed an attempt is queued as soon as its wait (60 s) is over
        row.refresh_from_db()
        assert (row.attempts, row.next_attempt_at) == (1, START + timedelta(seconds=180))
        clock.shift(timedelta(seconds=59))
        assert notification_sweep() == 0
        clock.shift(timedelta(seconds=1))
        assert notification_sweep() == 1
        row.refresh_from_db()
        assert (row.attempts, row.next_attempt_at) == (2, START + timedelta(seconds=300))


def test_a_site_admin_sends_again_what_failed_or_waits_never_what_was_sent_or_is_in_flight():
    order = OrderFactory()
    rows = {}
    for status in NotificationStatus.values:
        (row,) = enqueue(order, [order.placed_by], key=status)
        Notification.objects.filter(pk=row.pk).update(status=status, attempts=2, last_error="x")
        rows[status] = row.pk

    assert notification_resend(notification_ids=rows.values()) == 2

    after = {
        status: Notification.objects.filter(pk=pk).values_list("status", "attempts").get()
        for status, pk in rows.items()
    }
    assert after == {
        NotificationStatus.FAILED: (NotificationStatus.PENDING, 0),
        NotificationStatus.PENDING: (NotificationStatus.PENDING, 0),
        NotificationStatus.SENT: (NotificationStatus.SENT, 2),
        NotificationStatus.SENDING: (NotificationStatus.SENDING, 2),
        NotificationStatus.INBOX_ONLY: (NotificationStatus.INBOX_ONLY, 2),
    }


def test_a_row_that_can_no_longer_be_sent_fails_without_an_attempt(ledger):
    (pk,) = ledger_rows("GONE")

    assert send_outbox_row.apply(args=["ledger", pk]).get() == SendResult.FAILED.value

    row = WebhookDelivery.objects.get(pk=pk)
    assert (row.status, row.attempts, row.next_attempt_at) == (DeliveryStatus.FAILED, 0, None)
    assert row.last_error == "Not sent: gone."
    assert ledger.sent == []


def test_a_long_error_is_kept_to_its_first_two_thousand_characters(ledger):
    (pk,) = ledger_rows("PO-1")

    def broken(row):
        raise RuntimeError("x" * 5000)

    ledger.send = broken

    send_outbox_row.apply(args=["ledger", pk])

    assert WebhookDelivery.objects.get(pk=pk).last_error == f"RuntimeError: {'x' * 1986}"


def test_a_worker_finishing_after_its_claim_was_released_undoes_nothing(ledger, settings):
    (pk,) = ledger_rows("PO-1")
    first_send = ledger.send
    outcomes = []

    def slow_then_refused(row):
        # while this worker is still at it, its claim times out: the sweep gives the
        # row to another worker (in-process: here), which sends it
        clock.shift(timedelta(seconds=settings.LEDGER_CLAIM_TIMEOUT_SECONDS + 1))
        ledger.send = first_send
        outcomes.append(outbox_sweep(channel=ledger))
        raise AttemptFailed("Too late: the ledger hung up.", last_response_code=504)

    with time_machine.travel(START, tick=False) as clock:
        ledger.send = slow_then_refused
        result = send_outbox_row.apply(args=["ledger", pk]).get()

    # the late worker's failure is not recorded over the other worker's success
    assert (result, outcomes) == (SendResult.SKIPPED.value, [1])
    row = WebhookDelivery.objects.get(pk=pk)
    assert (row.status, row.attempts, row.last_response_code, row.last_error) == (
        DeliveryStatus.DELIVERED,
        2,
        201,
        "",
    )
    assert ledger.sent == [pk]


def test_the_sweep_queues_the_longest_due_first_and_at_most_its_limit(ledger):
    with time_machine.travel(START, tick=False) as clock:
        newest, oldest, middle = ledger_rows("PO-1", "PO-2", "PO-3")
        for pk, minutes in ((oldest, 1), (middle, 2), (newest, 3)):
            WebhookDelivery.objects.filter(pk=pk).update(
                attempts=1, next_attempt_at=START + timedelta(minutes=minutes)
            )
        clock.shift(timedelta(minutes=5))

        assert outbox_sweep(channel=ledger, limit=2) == 2

    assert ledger.sent == [oldest, middle]
    assert status_of(newest) == (DeliveryStatus.PENDING, 1)
