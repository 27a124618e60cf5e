"""Workers racing on one outbox row, on Postgres, each in its own thread and connection."""

import threading

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection, transaction

from notifications.models import Notification, NotificationStatus
from notifications.services import SendResult, notification_send
from tests.concurrency import run_at_once
from tests.factories import OrderFactory
from tests.notifications.test_outbox import enqueue

pytestmark = pytest.mark.django_db(transaction=True)


class SlowBackend(EmailBackend):
    """An SMTP server that takes its time to accept, long enough for a rival to try."""

    in_conversation = threading.Event()
    may_finish = threading.Event()

    def send_messages(self, messages):
        SlowBackend.in_conversation.set()
        SlowBackend.may_finish.wait(timeout=10)
        return super().send_messages(messages)


@pytest.fixture
def slow_smtp(settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_concurrency.SlowBackend"
    SlowBackend.in_conversation.clear()
    SlowBackend.may_finish.clear()
    mail.outbox = []
    yield SlowBackend
    SlowBackend.may_finish.set()


@pytest.fixture
def queued_row(monkeypatch):
    """A pending row no task was queued for yet (the test plays the workers)."""
    monkeypatch.setattr("notifications.services.outbox.dispatch", lambda channel, ids: None)
    order = OrderFactory()
    (row,) = enqueue(order, [order.placed_by])
    return row


def test_two_workers_racing_on_one_row_send_it_once(slow_smtp, queued_row):
    row = queued_row
    threading.Timer(0.5, slow_smtp.may_finish.set).start()

    outcomes = run_at_once(
        lambda: notification_send(notification_id=row.pk),
        lambda: notification_send(notification_id=row.pk),
    )

    assert sorted(o.value for o in outcomes) == [SendResult.SENT.value, SendResult.SKIPPED.value]
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (NotificationStatus.SENT, 1)


def test_no_lock_is_held_while_the_smtp_server_answers(slow_smtp, queued_row):
    row = queued_row
    worker = threading.Thread(
        target=lambda: (notification_send(notification_id=row.pk), connection.close())
    )
    worker.start()
    try:
        # given a worker in the middle of the SMTP conversation
        assert slow_smtp.in_conversation.wait(timeout=10)

        # then its claim is committed and the row is not locked: NOWAIT does not fail
        with transaction.atomic():
            seen = Notification.objects.select_for_update(nowait=True).get(pk=row.pk)
        assert seen.status == NotificationStatus.SENDING
    finally:
        slow_smtp.may_finish.set()
        worker.join(timeout=10)

    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT
    assert len(mail.outbox) == 1
