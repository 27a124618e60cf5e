"""The dispatcher: a request hands ids over and goes on; one thread talks to the broker."""

import threading
import time

import pytest
from kombu.exceptions import OperationalError

from notifications import dispatch as dispatch_module
from notifications.dispatch import Dispatcher, publish
from notifications.services import EMAIL
from notifications.tasks import send_outbox_row


def test_handing_ids_over_never_waits_for_a_hung_broker():
    # given a broker that does not answer until the test lets it
    taken, answered = threading.Event(), threading.Event()
    batches: list[list[int]] = []

    def hung_publish(ids):
        taken.set()
        answered.wait(timeout=10)
        batches.append(list(ids))
        return len(ids)

    dispatcher = Dispatcher(hung_publish)

    # when three requests hand over their rows while the first publish hangs
    started = time.monotonic()
    dispatcher.submit([1])
    assert taken.wait(timeout=5)  # the thread took the first batch and hangs on it
    dispatcher.submit([2, 3])
    dispatcher.submit([4])
    handed_over_in = time.monotonic() - started

    # then none of them waited, and what piled up goes out as one batch afterwards
    assert handed_over_in < 0.5
    assert dispatcher.flush(timeout=0.1) is False
    answered.set()
    assert dispatcher.flush(timeout=5)
    assert batches == [[1], [2, 3, 4]]


def test_a_failing_publish_does_not_stop_the_dispatcher():
    calls: list[list[int]] = []

    def flaky_publish(ids):
        calls.append(list(ids))
        if len(calls) == 1:
            raise RuntimeError("broker gone")
        return len(ids)

    dispatcher = Dispatcher(flaky_publish)
    dispatcher.submit([1])
    assert dispatcher.flush(timeout=5)
    dispatcher.submit([2])
    assert dispatcher.flush(timeout=5)

    assert calls == [[1], [2]]


def test_ids_beyond_the_capacity_are_left_to_the_sweep():
    taken, release = threading.Event(), threading.Event()
    seen: list[int] = []

    def slow_publish(ids):
        taken.set()
        release.wait(timeout=10)
        seen.extend(ids)
        return len(ids)

    dispatcher = Dispatcher(slow_publish, capacity=3)
    dispatcher.submit([1])
    assert taken.wait(timeout=5)
    dispatcher.submit([2, 3])
    dispatcher.submit([4, 5])  # would exceed 3 waiting: dropped, still pending in the outbox
    release.set()

    assert dispatcher.flush(timeout=5)
    assert seen == [1, 2, 3]


def test_a_batch_stops_at_the_first_failure(settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    published: list[int] = []

    def apply_async(args, producer=None):
        if len(published) == 2:
            raise OperationalError("timed out")
        published.append(args)

    class Producer:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(send_outbox_row, "apply_async", apply_async)
    monkeypatch.setattr(send_outbox_row.app, "producer_or_acquire", lambda: Producer())

    assert publish("email", [10, 11, 12, 13]) == 2

    assert published == [["email", 10], ["email", 11]]


@pytest.mark.django_db
def test_in_process_mode_sends_at_once_in_the_callers_thread(monkeypatch):
    sent: list[tuple[str, int, str]] = []
    monkeypatch.setattr(
        send_outbox_row,
        "delay",
        lambda channel, pk: sent.append((channel, pk, threading.current_thread().name)),
    )

    dispatch_module.dispatch(EMAIL, [7, 8])

    here = threading.current_thread().name
    assert sent == [("email", 7, here), ("email", 8, here)]
