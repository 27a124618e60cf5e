import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.db import connections

from b2bportal.celery import app as celery_app
from notifications import dispatch
from notifications.tasks import sweep_outbox
from tests.conftest import test_broker_url

# A port where no broker listens: the broker is "down".
DEAD_BROKER = "redis://127.0.0.1:1/0"


def point_celery_at(url: str) -> None:
    """Send tasks to ``url`` from now on (drops the pooled connections).

    The read and write URLs are set too: Celery prefers a ``CELERY_BROKER_URL``
    in the environment (CI sets one) to ``broker_url``, but not to these.
    """
    celery_app.conf.broker_url = url
    celery_app.conf.broker_read_url = url
    celery_app.conf.broker_write_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker(settings):
    """Tasks go through the real broker instead of running in-process."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    point_celery_at(test_broker_url())
    celery_app.control.purge()
    yield celery_app
    dispatch.flush(timeout=15)  # nothing of this test is published into the next one
    point_celery_at(test_broker_url())


@contextmanager
def real_worker():
    """A real Celery worker in a thread, consuming from Redis, seeing the test database.

    Its database connection closes after each task (as with CONN_MAX_AGE=0), so
    none is left open when the test database is dropped.
    """
    db_settings = connections.settings["default"]
    max_age = db_settings["CONN_MAX_AGE"]
    db_settings["CONN_MAX_AGE"] = 0
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
            yield
    finally:
        db_settings["CONN_MAX_AGE"] = max_age


@contextmanager
def running_beat(interval: float = 0.2):
    """Beat's sweep of the outbox in a thread, every ``interval`` seconds instead of every
    minute: what queues a row again once the wait after a failed attempt is over."""
    stop = threading.Event()

    def sweep():
        try:
            while not stop.wait(interval):
                sweep_outbox.apply()
        finally:
            connections.close_all()

    beat = threading.Thread(target=sweep, name="test-beat", daemon=True)
    beat.start()
    try:
        yield
    finally:
        stop.set()
        beat.join(timeout=10)


@pytest.fixture
def celery_worker(broker):
    with real_worker():
        yield


_drained: dict[str, threading.Event] = {}


@celery_app.task(name="tests.notifications.mark_drained", ignore_result=True)
def mark_drained(token: str) -> None:
    """The marker ``worker_drained`` sends behind the tasks queued before it."""
    event = _drained.pop(token, None)
    if event is not None:
        event.set()


def worker_drained(timeout: float = 20.0) -> bool:
    """Whether the worker has handled every task queued so far: what the dispatchers hold
    is published, then a marker task queued behind it has run. One worker, one task at a
    time, first in first out: a second copy of a task queued before it was handled too."""
    if not dispatch.flush(timeout=timeout):
        return False
    token = uuid.uuid4().hex
    done = _drained[token] = threading.Event()
    mark_drained.delay(token)
    return done.wait(timeout)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class PrivateBroker:
    """A Redis of one test's own, which the test may pause to play a hung broker."""

    process: subprocess.Popen
    url: str

    def hang(self) -> None:
        """Keep accepting connections (the kernel does) but never answer (SIGSTOP)."""
        os.kill(self.process.pid, signal.SIGSTOP)

    def recover(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)


@pytest.fixture
def private_broker(settings):
    """Tasks go through a Redis started for this test alone (never the shared one).

    Stopped by its own PID afterwards, resumed first if the test left it paused.
    """
    server = shutil.which("redis-server")  # its tests are skipped without it (tests/conftest.py)
    assert server is not None
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - a fixed command on a loopback port
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(url, socket_timeout=1).ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.05)
        settings.CELERY_TASK_ALWAYS_EAGER = False
        point_celery_at(url)
        yield PrivateBroker(process, url)
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGCONT)
            dispatch.flush(timeout=15)
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        point_celery_at(test_broker_url())
