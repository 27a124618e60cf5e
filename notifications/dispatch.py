"""Handing outbox rows to the broker without making a person wait for it.

After a commit, a request only drops the ids of its new rows into this
process's dispatcher for their channel and answers; a thread of the process
publishes them. A broker that refuses connections, or accepts them and never
answers (each publish then waits for the socket timeout, twice), delays the
message and costs the page nothing. What could not be published stays pending
in the outbox, and the periodic sweep queues it again, so nothing is lost.

Whatever has piled up while the thread was busy goes out as one batch over one
connection, and a batch stops at its first failure: a hung broker costs the
thread one timeout per batch, not one per row.

In-process mode (no broker, ``CELERY_TASK_ALWAYS_EAGER``) sends in the
dispatcher's thread, or — for a channel that says so (emails) — at once in the
caller's thread. Each channel has a thread of its own: a receiver answering
slowly in in-process mode holds up its own channel, never the others.
"""

import atexit
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import Protocol

logger = logging.getLogger(__name__)

# Ids waiting in one process beyond this are left to the sweep.
CAPACITY = 10_000
# At exit (a management command, a worker recycled), wait this long for what was
# handed over to reach the broker; the sweep has the rest.
EXIT_FLUSH_SECONDS = 3.0


class Sendable(Protocol):
    """What the dispatcher needs of a channel (``services.engine.Channel``)."""

    name: str
    eager_inline: bool


def _eager() -> bool:
    from .tasks import send_outbox_row

    return bool(send_outbox_row.app.conf.task_always_eager)


def publish(channel: str, ids: Sequence[int]) -> int:
    """Queue one send task per row of ``channel``, in order, over one connection; how
    many were queued.

    Stops at the first failure: the broker is down or hung, and the rest would
    only wait for the same timeout. Rows not queued stay pending for the sweep.
    """
    from .tasks import send_outbox_row

    if not ids:
        return 0
    if _eager():
        for row_id in ids:
            send_outbox_row.delay(channel, row_id)
        return len(ids)
    queued = 0
    try:
        with send_outbox_row.app.producer_or_acquire() as producer:
            for row_id in ids:
                send_outbox_row.apply_async(args=[channel, row_id], producer=producer)
                queued += 1
    except Exception as exc:  # the broker is down, unreachable or not answering
        logger.warning(
            "Could not queue %d of %d %s rows (%s: %s); the sweep will.",
            len(ids) - queued,
            len(ids),
            channel,
            type(exc).__name__,
            exc,
        )
    return queued


def _publish_off_thread(channel: str, ids: Sequence[int]) -> int:
    """``publish`` in a dispatcher's thread; what in-process mode sends from here uses a
    database connection of the thread's own, closed when the batch is done."""
    try:
        return publish(channel, ids)
    finally:
        from django.db import connections

        connections.close_all()  # this thread's connections only


class Dispatcher:
    """A queue of ids and one thread that publishes them.

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
                    "%d rows wait to be queued already; the sweep will queue %d more.",
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
                logger.exception("Publishing %d outbox rows failed; the sweep will.", len(batch))
            finally:
                with self._lock:
                    self._busy = False
                    self._changed.notify_all()


_dispatchers: dict[str, Dispatcher] = {}
_dispatchers_lock = threading.Lock()


def _dispatcher_for(channel: str) -> Dispatcher:
    with _dispatchers_lock:
        if channel not in _dispatchers:
            _dispatchers[channel] = Dispatcher(partial(_publish_off_thread, channel))
        return _dispatchers[channel]


def _after_fork_in_child() -> None:
    global _dispatchers_lock
    _dispatchers_lock = threading.Lock()
    for one in _dispatchers.values():
        one._reset()


def flush(timeout: float) -> bool:
    """Wait until every channel's dispatcher published what it was handed (or gave up)."""
    deadline = time.monotonic() + timeout
    with _dispatchers_lock:
        every = list(_dispatchers.values())
    done = True
    for one in every:  # each waits, whatever the one before it said
        done = one.flush(max(deadline - time.monotonic(), 0)) and done
    return done


os.register_at_fork(after_in_child=_after_fork_in_child)
atexit.register(flush, EXIT_FLUSH_SECONDS)


def dispatch(channel: Sendable, ids: Sequence[int]) -> None:
    """Send the rows of ``channel`` after a commit: through its dispatcher, or in
    in-process mode at once in the caller's thread when the channel says so."""
    if not ids:
        return
    if channel.eager_inline and _eager():
        publish(channel.name, ids)
    else:
        _dispatcher_for(channel.name).submit(list(ids))
