"""Webhooks: events posted to the receivers site admins registered, through the outbox.

The service announcing an event writes one ``WebhookDelivery`` per endpoint
that wants it, in its own transaction (``webhook_enqueue``); the outbox engine
(``engine``) posts it after commit, like an email: claimed, posted outside any
transaction, marked delivered on a 2xx. A receiver that is down, slow
(WEBHOOK_TIMEOUT_SECONDS) or answers other than 2xx is tried again after the
backoff (WEBHOOK_* settings) until its attempts are spent. Delivery is at least
once: a receiver deduplicates by the event id, the same for every attempt and
every re-send.

Each request is signed (``sign``): ``X-Portal-Signature: t=<unix time>,v1=<hex>``
where the hex is HMAC-SHA256 of ``"<t>.<body>"`` with the endpoint's secret, so a
receiver checks both who sent it and when (to refuse replays).
"""

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connections, router, transaction
from django.utils import timezone

from core.caching import cached
from core.transitions import initial_status

from ..dispatch import dispatch
from ..models import ENDPOINTS_VERSION, WebhookDelivery, WebhookEndpoint
from ..outbox import EVENT
from .engine import (
    AttemptFailed,
    Channel,
    SendResult,
    outbox_resend,
    outbox_send,
    outbox_sweep,
    register,
)

# Event ids are derived from what the event is (object, version), so the same
# event queued twice carries the same id.
EVENT_NAMESPACE = uuid.UUID("6d1f3c2e-8a4b-4f5e-9c7d-2b1a0e9f8c31")

SIGNATURE_HEADER = "X-Portal-Signature"
EVENT_ID_HEADER = "X-Portal-Event-Id"
EVENT_HEADER = "X-Portal-Event"


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(
        secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return f"t={timestamp},v1={digest}"


def event_body(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


# --- Queueing: in the caller's transaction ------------------------------------


def _insert_new(rows: list[WebhookDelivery]) -> list[int]:
    """Insert the rows whose (endpoint, event id) is new, in one statement; their ids."""
    meta = WebhookDelivery._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    connection = connections[router.db_for_write(WebhookDelivery)]
    quote_name = connection.ops.quote_name
    params = []
    for row in rows:
        params.extend(f.get_db_prep_save(f.pre_save(row, True), connection) for f in fields)
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        f"INSERT INTO {quote_name(meta.db_table)} "  # noqa: S608 - names from the model
        f"({', '.join(quote_name(f.column) for f in fields)}) "
        f"VALUES {', '.join([placeholders] * len(rows))} "
        f"ON CONFLICT ({quote_name('endpoint_id')}, {quote_name('event_id')}) DO NOTHING "
        f"RETURNING {quote_name('id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [pk for (pk,) in cursor.fetchall()]


def webhook_endpoints() -> list[WebhookEndpoint]:
    """The active endpoints with what they subscribe to: a short list read from the
    shared cache, read again after an endpoint is saved or deleted (the model bumps
    ``ENDPOINTS_VERSION``), so placing an order costs no query for it."""
    return cached(
        ENDPOINTS_VERSION,
        depends_on=[ENDPOINTS_VERSION],
        compute=lambda: list(
            WebhookEndpoint.objects.filter(is_active=True).only("id", "events").order_by("id")
        ),
    )


def webhook_enqueue(
    *,
    event: str,
    key: str,
    reference: str,
    data: Callable[[], dict],
    endpoints: list[WebhookEndpoint] | None = None,
) -> list[int]:
    """Queue ``event`` for every active endpoint subscribed to it; the new rows' ids.

    ``key`` names the event (object and version): queued twice, it is one
    delivery per endpoint. ``data`` is called only when an endpoint wants the
    event, once for all of them. ``endpoints``: ``webhook_endpoints()`` when the
    caller queues several events at once (read once for all).

    Rule: in the caller's transaction (the event and the change commit or roll
    back together); posted after commit, never in the caller's thread.
    """
    endpoints = [
        endpoint
        for endpoint in (webhook_endpoints() if endpoints is None else endpoints)
        if event in (endpoint.events or [])
    ]
    if not endpoints:
        return []
    event_id = uuid.uuid5(EVENT_NAMESPACE, key)
    now = timezone.now()
    payload = {
        "id": str(event_id),
        "type": event,
        "created_at": now.isoformat(),
        "data": data(),
    }
    ids = _insert_new(
        [
            WebhookDelivery(
                endpoint_id=endpoint.pk,
                event=event,
                event_id=event_id,
                reference=reference[:20],
                payload=payload,
                status=initial_status(WebhookDelivery, "queue", by=EVENT),
                next_attempt_at=now,
            )
            for endpoint in endpoints
        ]
    )
    if ids:
        transaction.on_commit(lambda: dispatch(WEBHOOK, ids))
    return ids


# --- Posting: in a worker -------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer other than 2xx: the event is not followed elsewhere."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _post(row: WebhookDelivery) -> int:
    """Post the row's event to its endpoint, signed; the HTTP status of the answer."""
    body = event_body(row.payload)
    request = urllib.request.Request(  # noqa: S310 - http(s) URLs only (URLField)
        row.endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": f"{settings.PORTAL_NAME} webhooks",
            EVENT_HEADER: row.event,
            EVENT_ID_HEADER: str(row.event_id),
            SIGNATURE_HEADER: sign(
                secret=row.endpoint.secret, timestamp=int(time.time()), body=body
            ),
        },
    )
    try:
        with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            response.read(65536)
            return response.status
    except urllib.error.HTTPError as answer:
        answer.close()
        return answer.code


class WebhookChannel(Channel):
    name = "webhook"
    model = WebhookDelivery
    settings_prefix = "WEBHOOK"
    related = ("endpoint",)

    def send(self, row: WebhookDelivery) -> Mapping[str, Any]:
        """2xx is delivered; anything else (an error, a timeout, a redirect) is not."""
        try:
            code = _post(row)
        except Exception as exc:  # refused, unreachable, timed out, TLS
            raise AttemptFailed(f"{type(exc).__name__}: {exc}", last_response_code=None) from exc
        if not 200 <= code < 300:
            raise AttemptFailed(f"The receiver answered HTTP {code}.", last_response_code=code)
        return {"last_response_code": code}

    def unsendable(self, row: WebhookDelivery) -> str:
        return "" if row.endpoint.is_active else "Not sent: the endpoint was switched off."

    def describe(self, row: WebhookDelivery) -> str:
        return f"{row.event} {row.reference} → {row.endpoint.name}"


WEBHOOK = register(WebhookChannel())


def webhook_send(*, delivery_id: int) -> SendResult:
    """Post one delivery (the engine's rule: claimed, no lock held while the receiver answers)."""
    return outbox_send(channel=WEBHOOK, row_id=delivery_id)


def webhook_sweep(*, now: datetime | None = None, limit: int = 500) -> int:
    """Queue the deliveries that are due again; how many (the engine's sweep)."""
    return outbox_sweep(channel=WEBHOOK, now=now, limit=limit)


def webhook_resend(*, delivery_ids: Iterable[int]) -> int:
    """A site admin posts deliveries again (failed, delivered, or waiting to retry).

    Rule: the same event id (the receiver can tell a copy), a fresh count of
    attempts, posted now; a row being posted at this moment is left alone.
    """
    return outbox_resend(channel=WEBHOOK, row_ids=delivery_ids)
