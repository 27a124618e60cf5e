import os
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from orders.models import Order
from quotations.models import Quote, QuoteMessage, QuoteRevision, QuoteStatus
from quotations.tasks import expire_due_quotes
from tests.quotations.factories import offer, request_quote

pytestmark = pytest.mark.django_db


def test_the_expiry_task_is_scheduled_every_quarter_hour():
    entry = settings.CELERY_BEAT_SCHEDULE["quotes-expire-due"]
    assert entry["task"] == expire_due_quotes.name == "quotations.tasks.expire_due_quotes"
    assert entry["schedule"] == 15 * 60


def test_the_expiry_task_is_safe_to_run_twice(buyer, desk, products):
    quote = offer(request_quote(buyer, (products[0], 1)), desk, {products[0]: "9.00"})
    Quote.objects.filter(pk=quote.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert expire_due_quotes.delay().get() == 1
    assert expire_due_quotes.delay().get() == 0

    quote.refresh_from_db()
    assert quote.status == QuoteStatus.EXPIRED
    assert quote.version == 3


def _seed():
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115


def test_seed_demo_adds_quotes_in_several_states_once():
    _seed()
    counts = (
        Quote.objects.count(),
        QuoteMessage.objects.count(),
        QuoteRevision.objects.count(),
        Order.objects.count(),
    )

    _seed()

    assert counts == (
        Quote.objects.count(),
        QuoteMessage.objects.count(),
        QuoteRevision.objects.count(),
        Order.objects.count(),
    )
    statuses = set(Quote.objects.values_list("status", flat=True))
    assert {
        QuoteStatus.REQUESTED,
        QuoteStatus.OFFERED,
        QuoteStatus.ACCEPTED,
        QuoteStatus.ORDERED,
        QuoteStatus.REJECTED,
    } <= statuses
    offered = Quote.objects.get(status=QuoteStatus.OFFERED)
    assert offered.expires_at > timezone.now()
    assert offered.messages.count() >= 2
    ordered = Quote.objects.get(status=QuoteStatus.ORDERED)
    assert ordered.order.total == sum(line.offered_total for line in ordered.lines.all())
    assert set(Quote.objects.values_list("company__slug", flat=True)) == {"acme", "globex"}
