"""Handing outbox rows to the broker without making a person wait for it.

After a commit, a request only drops the ids of its new rows into this
process's dispatcher and answers; a thread of the process publishes them. A
broker that refuses connections, or accepts them and never answers (each
publish then waits for the socket timeout, twice), delays the mail and costs
the page nothing. What could not be published stays pending in the outbox, and
the periodic sweep queues it again, so nothing is lost.

Whatever has piled up while the thread was busy goes out as one batch over one
connection, and a batch stops at its first failure: a hung broker costs the
thread one timeout per batch, not one per email.

In-process mode (no broker, ``CELERY_TASK_ALWAYS_EAGER``) has nothing to wait
for: the email is sent at once, in the caller's thread, as before.
"""

import atexit
import logging
import os
import threading
from collections.abc import Callable, Sequence

logger = logging.getLogger(__name__)

# Ids waiting in one process beyond this are left to the sweep.
CAPACITY = 10_000
# At exit (a management command, a worker recycled), wait this long for what was
# handed over to reach the broker; the sweep has the rest.
EXIT_FLUSH_SECONDS = 3.0


def _eager() -> bool:
    from .tasks import send_notification

    return bool(send_notification.app.conf.task_always_eager)


def publish(ids: Sequence[int]) -> int:
    """Queue one send task per row, in order, over one connection; how many were queued.

    Stops at the first failure: the broker is down or hung, and the rest would
    only wait for the same timeout. Rows not queued stay pending for the sweep.
    """
    from .tasks import send_notification

    if not ids:
        return 0
    if _eager():
        for notification_id in ids:
            send_notification.delay(notification_id)
        return len(ids)
    queued = 0
    try:
        with send_notification.app.producer_or_acquire() as producer:
            for notification_id in ids:
                send_notification.apply_async(args=[notification_id], producer=producer)
                queued += 1
    except Exception as exc:  # the broker is down, unreachable or not answering
        logger.warning(
            "Could not queue %d of %d notifications (%s: %s); the sweep will.",
            len(ids) - queued,
            len(ids),
            type(exc).__name__,
            exc,
        )
    return queued


class Dispatcher:
    """A queue of ids and one thread per process that publishes them.

    The thread starts on first use. A child process starts afresh after a fork
    (the parent's lock and thread do not survive one), so each process of a
    preforking server or of Celery's worker pool gets its own.
    """

    def __init__(self, publish: Callable[[Sequence[int]], int], capacity: int = CAPACITY):
        self._publish = publish
        self._capacity = capacity
        self._reset()

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._waiting: list[int] = []
        self._busy = False
        self._thread: threading.Thread | None = None

    def submit(self, ids: Sequence[int]) -> None:
        """Hand ids over to be published soon; never blocks on the broker."""
        if not ids:
            return
        with self._lock:
            if len(self._waiting) + len(ids) > self._capacity:
                logger.warning(
                    "%d notifications wait to be queued already; the sweep will queue %d more.",
                    len(self._waiting),
                    len(ids),
                )
                return
            self._waiting.extend(ids)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="outbox-dispatcher", daemon=True
                )
                self._thread.start()
            self._changed.notify_all()

    def flush(self, timeout: float) -> bool:
        """Wait until everything handed over so far was published (or given up on)."""
        with self._lock:
            return self._changed.wait_for(lambda: not self._waiting and not self._busy, timeout)

    def _run(self) -> None:
        while True:
            with self._lock:
                self._changed.wait_for(lambda: self._waiting)
                batch, self._waiting = self._waiting, []
                self._busy = True
            try:
                self._publish(batch)
            except Exception:  # never let the thread die: the next batch may go through
                logger.exception("Publishing %d notifications failed; the sweep will.", len(batch))
            finally:
                with self._lock:
                    self._busy = False
                    self._changed.notify_all()


def publish_webhooks(ids: Sequence[int]) -> int:
    """Queue one task per webhook delivery, as ``publish`` does for emails.

    In-process mode runs each delivery here, in the dispatcher's thread: never in
    the request that queued it, which has answered already.
    """
    from .tasks import send_webhook

    if not ids:
        return 0
    if send_webhook.app.conf.task_always_eager:
        for delivery_id in ids:
            send_webhook.delay(delivery_id)
        return len(ids)
    queued = 0
    try:
        with send_webhook.app.producer_or_acquire() as producer:
            for delivery_id in ids:
                send_webhook.apply_async(args=[delivery_id], producer=producer)
                queued += 1
    except Exception as exc:  # the broker is down, unreachable or not answering
        logger.warning(
            "Could not queue %d of %d webhook deliveries (%s: %s); the sweep will.",
            len(ids) - queued,
            len(ids),
            type(exc).__name__,
            exc,
        )
    return queued


def _publish_webhooks_off_thread(ids: Sequence[int]) -> int:
    """``publish_webhooks`` in the dispatcher's thread; in-process mode posted from here,
    with a database connection of the thread's own, closed when the batch is done."""
    try:
        return publish_webhooks(ids)
    finally:
        from django.db import connections

        connections.close_all()  # this thread's connections only


dispatcher = Dispatcher(publish)
# Webhooks have a thread of their own: a receiver answering slowly in in-process
# mode holds up other deliveries, never the emails.
webhook_dispatcher = Dispatcher(_publish_webhooks_off_thread)
for _one in (dispatcher, webhook_dispatcher):
    os.register_at_fork(after_in_child=_one._reset)
    atexit.register(_one.flush, EXIT_FLUSH_SECONDS)


def dispatch(ids: Sequence[int]) -> None:
    """Send the rows after a commit: in-process at once, else through the dispatcher."""
    if not ids:
        return
    if _eager():
        publish(ids)
    else:
        dispatcher.submit(list(ids))


def dispatch_webhooks(ids: Sequence[int]) -> None:
    """Post the deliveries after a commit, always off the caller's thread.

    Unlike an email in in-process mode, a delivery is never made in the request:
    a receiver that is slow or down must not hold a page up.
    """
    if ids:
        webhook_dispatcher.submit(list(ids))
