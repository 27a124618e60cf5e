"""Webhooks: events posted to the receivers site admins registered, through the outbox.

The same shape as the emails (``delivery``): the service announcing an event
writes one ``WebhookDelivery`` per endpoint that wants it, in its own
transaction; after commit a worker claims the row and commits, posts it
outside any transaction, then marks it delivered if its claim still stands.
A receiver that is down, slow (WEBHOOK_TIMEOUT_SECONDS) or answers other than
2xx leaves the row pending for another attempt, after an exponential backoff,
up to WEBHOOK_MAX_ATTEMPTS; the sweep re-queues what a lost task or a dead
worker left behind. Delivery is at least once: a receiver deduplicates by the
event id, the same for every attempt and every re-send.

Each request is signed (``sign``): ``X-Portal-Signature: t=<unix time>,v1=<hex>``
where the hex is HMAC-SHA256 of ``"<t>.<body>"`` with the endpoint's secret, so a
receiver checks both who sent it and when (to refuse replays).
"""

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connections, router, transaction
from django.utils import timezone

from core.caching import cached
from core.transitions import initial_status, transition, transition_all

from ..dispatch import dispatch_webhooks, publish_webhooks
from ..models import (
    ENDPOINTS_VERSION,
    EVENT,
    SITE_ADMIN,
    SWEEP,
    WORKER,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
)
from .delivery import SendResult

logger = logging.getLogger(__name__)

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


def webhook_backoff(attempts: int) -> int:
    """Seconds to wait after the ``attempts``-th failed attempt: base × 2^(n-1), capped."""
    delay = settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** max(min(attempts, 20) - 1, 0)
    return min(delay, settings.WEBHOOK_RETRY_MAX_SECONDS)


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
        transaction.on_commit(lambda: dispatch_webhooks(ids))
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


def webhook_send(*, delivery_id: int) -> SendResult:
    """Post one delivery.

    Rule: only a pending row is posted, by the one worker that claimed it, and
    no lock is held while the receiver answers; 2xx is delivered, anything else
    (an error, a timeout, a redirect) is another attempt later or, with none
    left, failed.
    """
    claim = _claim(delivery_id=delivery_id)
    if not isinstance(claim, WebhookDelivery):
        return claim
    try:
        code = _post(claim)
    except Exception as exc:  # refused, unreachable, timed out, TLS
        return _attempt_failed(claim, code=None, error=f"{type(exc).__name__}: {exc}")
    if 200 <= code < 300:
        _mark_delivered(claim, code)
        return SendResult.SENT
    return _attempt_failed(claim, code=code, error=f"The receiver answered HTTP {code}.")


@transaction.atomic
def _claim(*, delivery_id: int) -> WebhookDelivery | SendResult:
    row = (
        WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("endpoint")
        .filter(pk=delivery_id, status=DeliveryStatus.PENDING)
        .first()
    )
    if row is None:  # delivered, failed, being posted, or being claimed right now
        return SendResult.SKIPPED
    if not row.endpoint.is_active:
        row.last_error = "Not sent: the endpoint was switched off."
        transition(row, "give_up", by=WORKER, fields=["last_error"])
        return SendResult.FAILED
    row.attempts += 1
    row.claimed_at = timezone.now()
    transition(row, "claim", by=WORKER, fields=["attempts", "claimed_at"])
    return row


def _still_claimed(row: WebhookDelivery) -> WebhookDelivery | None:
    return (
        WebhookDelivery.objects.select_for_update()
        .filter(pk=row.pk, status=DeliveryStatus.SENDING, claimed_at=row.claimed_at)
        .first()
    )


@transaction.atomic
def _mark_delivered(row: WebhookDelivery, code: int) -> None:
    current = _still_claimed(row)
    if current is None:
        logger.warning("Webhook delivery %s arrived after its claim had been released.", row.pk)
        return
    current.delivered_at = timezone.now()
    current.last_response_code = code
    current.last_error = ""
    current.next_attempt_at = None
    transition(
        current,
        "mark_delivered",
        by=WORKER,
        fields=["delivered_at", "last_response_code", "last_error", "next_attempt_at"],
    )


@transaction.atomic
def _attempt_failed(row: WebhookDelivery, *, code: int | None, error: str) -> SendResult:
    logger.warning("Webhook delivery %s not delivered: %s", row.pk, error)
    current = _still_claimed(row)
    if current is None:
        return SendResult.SKIPPED
    current.last_error = error[:2000]
    current.last_response_code = code
    fields = ["last_error", "last_response_code", "next_attempt_at"]
    if current.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        current.next_attempt_at = None
        transition(current, "give_up", by=WORKER, fields=fields)
        return SendResult.FAILED
    current.next_attempt_at = timezone.now() + timedelta(seconds=webhook_backoff(current.attempts))
    transition(current, "defer", by=WORKER, fields=fields)
    return SendResult.RETRY


# --- The safety net and the site admin's hand ------------------------------------


def webhook_sweep(*, now: datetime | None = None, limit: int = 500) -> int:
    """Queue again the deliveries due a while ago and still pending; how many.

    Covers a broker that was down at commit, a retry task lost with its worker,
    and a worker that died while posting (its claim is released first).
    """
    now = now or timezone.now()
    released = _release_abandoned_claims(now=now, limit=limit)
    cutoff = now - timedelta(seconds=settings.WEBHOOK_SWEEP_AFTER_SECONDS)
    due = WebhookDelivery.objects.filter(
        status=DeliveryStatus.PENDING, next_attempt_at__lte=cutoff
    ).exclude(pk__in=released)
    ids = released + list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    publish_webhooks(ids)
    return len(ids)


@transaction.atomic
def _release_abandoned_claims(*, now: datetime, limit: int) -> list[int]:
    cutoff = now - timedelta(seconds=settings.WEBHOOK_CLAIM_TIMEOUT_SECONDS)
    rows = list(
        WebhookDelivery.objects.select_for_update(skip_locked=True)
        .filter(status=DeliveryStatus.SENDING, claimed_at__lte=cutoff)
        .order_by("claimed_at")[:limit]
    )
    spent = [row for row in rows if row.attempts >= settings.WEBHOOK_MAX_ATTEMPTS]
    again = [row for row in rows if row.attempts < settings.WEBHOOK_MAX_ATTEMPTS]
    if spent:
        WebhookDelivery.objects.filter(pk__in=[row.pk for row in spent]).update(
            last_error="Not sent: no worker finished posting it.", next_attempt_at=None
        )
        transition_all(spent, "give_up", by=SWEEP)
    transition_all(again, "release", by=SWEEP)
    return [row.pk for row in again]


def webhook_resend(*, delivery_ids: Iterable[int]) -> int:
    """A site admin asks to post deliveries again (failed, delivered, or waiting to retry).

    Rule: the same event id (the receiver can tell a copy), a fresh count of
    attempts, posted now; a row being posted at this moment is left alone.
    """
    with transaction.atomic():
        rows = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True).filter(
                pk__in=list(delivery_ids),
                status__in=WebhookDelivery.MOVES["resend"].sources,
            )
        )
        ids = [row.pk for row in rows]
        WebhookDelivery.objects.filter(pk__in=ids).update(
            attempts=0, last_error="", next_attempt_at=timezone.now()
        )
        transition_all(rows, "resend", by=SITE_ADMIN)
        transaction.on_commit(lambda: dispatch_webhooks(ids))
    return len(ids)
