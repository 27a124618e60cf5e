"""A database that cannot be reached: 503 with Retry-After, one log line, no traceback.

Real errors from a real driver: a connection to a port where nothing listens, a
connection closed under a query, a statement Postgres cancels. The whole portal,
with the database cut under a running server, is ``tests/test_database_outage.py``.
"""

import logging
import socket

import pytest
from django.db import IntegrityError, connections
from django.urls import path

from api.schema import ERROR_CODES
from b2bportal.urls import handler500 as portal_handler500
from b2bportal.urls import urlpatterns as portal_urlpatterns
from core import outage
from tests.factories import BuyerFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # free again once closed: nothing listens there


def _wrapper(**changes):
    """Another connection to the test database's server, with ``changes`` to its settings."""
    default = connections["default"]
    return type(default)({**default.settings_dict, **changes}, alias="outage-test")


def unreachable_error() -> Exception:
    """What Django raises when nothing listens where the database should be."""
    away = _wrapper(PORT=_closed_port())
    try:
        away.ensure_connection()
    except Exception as exc:  # noqa: BLE001 - the error is what we want
        return exc
    raise AssertionError("a closed port accepted a connection")


def _unreachable_view(request):
    raise unreachable_error()


def _query_cancelled_view(request):
    raise _cancelled_error()


def _cancelled_error() -> Exception:
    live = _wrapper()
    try:
        with live.cursor() as cursor:
            cursor.execute("SET statement_timeout = 1")
            cursor.execute("SELECT pg_sleep(1)")
    except Exception as exc:  # noqa: BLE001
        return exc
    finally:
        live.close()
    raise AssertionError("the statement was not cancelled")


urlpatterns = [
    path("unreachable/", _unreachable_view),
    path("api/v1/unreachable/", _unreachable_view),
    path("cancelled/", _query_cancelled_view),
    *portal_urlpatterns,
]
handler500 = portal_handler500


@pytest.fixture(autouse=True)
def _no_outage_before():
    outage.outage_over()
    yield
    outage.outage_over()


@pytest.fixture
def quiet_client(client):
    client.raise_request_exception = False
    return client


def test_only_errors_of_a_missing_database_count_as_unreachable():
    closed = _wrapper()
    closed.ensure_connection()
    closed.connection.close()  # as a restart would, under an open connection
    with pytest.raises(Exception) as lost, closed.cursor() as cursor:
        cursor.execute("SELECT 1")

    assert outage.database_unreachable(unreachable_error())
    assert outage.database_unreachable(lost.value)
    assert not outage.database_unreachable(_cancelled_error())  # one slow query
    assert not outage.database_unreachable(IntegrityError("duplicate key"))
    assert not outage.database_unreachable(ValueError("x"))
    assert not outage.database_unreachable(None)


@pytest.mark.urls("tests.core.test_outage")
def test_people_get_the_portals_503_page_with_retry_after(quiet_client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = quiet_client.get("/unreachable/?page=2")

    assert response.status_code == 503
    assert response["Retry-After"] == str(outage.RETRY_AFTER_SECONDS)
    body = response.content.decode()
    assert 'id="error-page" data-status="503"' in body
    assert "We are back in a moment" in body
    assert 'id="outage-nav"' in body and 'href="/orders/"' in body
    assert 'href="/unreachable/?page=2"' in body  # try again: the same page


@pytest.mark.urls("tests.core.test_outage")
def test_api_clients_get_the_apis_error_shape_with_retry_after(quiet_client):
    refused = quiet_client.get("/api/v1/orders/")  # no key: a refusal, for its shape
    response = quiet_client.get("/api/v1/unreachable/")

    assert response.status_code == 503
    assert response["Retry-After"] == str(outage.RETRY_AFTER_SECONDS)
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == set(refused.json()) == {"error", "detail", "fields"}
    assert body["error"] == "service_unavailable" and body["fields"] == {}
    assert "cannot reach its database" in body["detail"]
    assert body["error"] in ERROR_CODES  # a code the API's schema tells clients to expect


@pytest.mark.urls("tests.core.test_outage")
def test_an_outage_is_logged_once_and_its_end_once_without_tracebacks(quiet_client, caplog):
    quiet_client.force_login(BuyerFactory())
    caplog.set_level(logging.INFO)

    statuses = [quiet_client.get("/unreachable/").status_code for _ in range(3)]
    statuses.append(quiet_client.get("/").status_code)  # the database answers this one
    statuses.append(quiet_client.get("/").status_code)

    assert statuses == [503, 503, 503, 200, 200]
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(said) == 2, said
    assert said[0].startswith("The database cannot be reached (")
    assert said[1].startswith("The database answers again after ")
    assert said[1].endswith("3 requests were answered 503 meanwhile.")
    assert not [r for r in caplog.records if r.exc_info]


@pytest.mark.urls("tests.core.test_outage")
def test_other_database_errors_stay_500s_with_their_traceback(quiet_client, caplog):
    response = quiet_client.get("/cancelled/")

    assert response.status_code == 500
    assert "Retry-After" not in response
    (logged,) = [r for r in caplog.records if r.name == "django.request"]
    assert logged.exc_info is not None
