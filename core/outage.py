"""While the database cannot be reached: 503 with Retry-After, and one log line.

A restart of Postgres (a few seconds), a failover or a cut network makes every
request that needs the database fail. The portal recovers by itself — each
request opens a new connection — and loses nothing: a transaction the database
never committed is rolled back whole, and a form sent again with its one-time
key makes its object once. Meanwhile each such request is answered
``503 Service Unavailable`` with ``Retry-After``: the portal's own page for people
(``503.html``, which needs no database: it cannot read the person from their
session, so its navigation is the one that works for anybody), and the API's
JSON error shape under ``/api/``. The first such request of an outage logs one
line; the first request the database answers again logs that it is back; no
traceback is logged per request in between.

Django calls the portal's 500 handler (``dashboards.views.server_error``) for an
error raised anywhere, in a view or in a middleware reading the session; the
handler asks ``database_unreachable`` and answers with ``outage_response``.
``DatabaseOutageMiddleware`` notices the end of the outage, and
``SkipUnreachableDatabase`` keeps Django's own log of each request quiet.
"""

import logging
import threading
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

from .http import error_body

log = logging.getLogger(__name__)

# Long enough for Postgres to restart, short enough that nobody waits for nothing.
RETRY_AFTER_SECONDS = 10

# SQLSTATEs of a database that is not there: a connection exception (class 08), a
# server shutting down or starting up (57P01-57P03), no connection left (53300).
# Others (a deadlock, a lock or statement timeout) are errors of one request.
UNREACHABLE_STATES = ("08", "57P01", "57P02", "57P03", "53300")


def database_unreachable(exc: BaseException | None) -> bool:
    """Whether ``exc`` says the database cannot be reached, rather than that a query failed."""
    if isinstance(exc, InterfaceError):
        return True  # the connection was closed under us
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    state = getattr(cause, "pgcode", None) or getattr(cause, "sqlstate", None)
    # No SQLSTATE at all: no server answered (refused, reset, closed unexpectedly).
    return state is None or state.startswith(UNREACHABLE_STATES)


class _Outage:
    """This process's view of the database: since when it has not answered, if at all."""

    lock = threading.Lock()
    since: float | None = None
    answered_503 = 0


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def outage_noted(exc: BaseException) -> None:
    """Count one request the database did not answer; the first of an outage is logged."""
    with _Outage.lock:
        _Outage.answered_503 += 1
        if _Outage.since is not None:
            return
        _Outage.since = time.monotonic()
    log.warning(
        "The database cannot be reached (%s): requests are answered 503 with Retry-After "
        "until it answers again.",
        _first_line(exc),
    )


def outage_over() -> None:
    """The database answered a request again: the outage, if one was noted, is over."""
    with _Outage.lock:
        if _Outage.since is None:
            return
        lasted, answered = time.monotonic() - _Outage.since, _Outage.answered_503
        _Outage.since, _Outage.answered_503 = None, 0
    log.warning(
        "The database answers again after %.1f s; %d requests were answered 503 meanwhile.",
        lasted,
        answered,
    )


def outage_response(request: HttpRequest, exc: BaseException) -> HttpResponse:
    """The answer while the database cannot be reached: JSON for the API, a page for people.

    Reads nothing from the database (nor the session, nor the person).
    """
    outage_noted(exc)
    detail = _("The portal cannot reach its database just now. Try again in a few seconds.")
    if request.path.startswith("/api/"):
        response = JsonResponse(error_body(error="service_unavailable", detail=detail), status=503)
    else:
        body = loader.get_template("503.html").render(
            {
                "PORTAL_NAME": settings.PORTAL_NAME,
                "retry_after": RETRY_AFTER_SECONDS,
                "again": request.get_full_path() if request.method in ("GET", "HEAD") else "",
            }
        )
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseOutageMiddleware:
    """Notices that an outage is over: the first request whose queries the database answers.

    Costs nothing while the database is there; during an outage it watches the
    queries of each request (a request that needs none, like a static file or an
    anonymous login page, says nothing about the database).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _Outage.since is None:
            return self.get_response(request)
        answered = False

        def watch(execute, sql, params, many, context):
            nonlocal answered
            result = execute(sql, params, many, context)
            answered = True
            return result

        with connection.execute_wrapper(watch):
            response = self.get_response(request)
        if answered:
            outage_over()
        return response


class SkipUnreachableDatabase(logging.Filter):
    """Keeps a request answered 503 for an unreachable database out of Django's request
    log: ``outage_noted`` said it once for the whole outage."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not database_unreachable(exc)
