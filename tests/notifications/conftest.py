from contextlib import contextmanager

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connections

from b2bportal.celery import app as celery_app
from tests.conftest import test_broker_url

# A port where no broker listens: the broker is "down".
DEAD_BROKER = "redis://127.0.0.1:1/0"


def point_celery_at(url: str) -> None:
    """Send tasks to ``url`` from now on (drops the pooled connections)."""
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker(settings):
    """Tasks go through the real broker instead of running in-process."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    point_celery_at(test_broker_url())
    celery_app.control.purge()
    yield celery_app
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


@pytest.fixture
def celery_worker(broker):
    with real_worker():
        yield
