"""Who is told of each quote event: exactly the other side, nobody else."""

from datetime import timedelta

import pytest

from notifications.models import Notification
from quotations.models import Quote
from quotations.notify import (
    QUOTE_ACCEPTED,
    QUOTE_EDITED,
    QUOTE_EXPIRED,
    QUOTE_EXPIRING,
    QUOTE_MESSAGE,
    QUOTE_OFFERED,
    QUOTE_REJECTED,
    QUOTE_REQUESTED,
    QUOTE_WITHDRAWN,
)
from quotations.services import (
    QuoteLineRequest,
    quote_accept,
    quote_edit,
    quote_expire_due,
    quote_expiry_warnings_send,
    quote_post_message,
    quote_reject,
    quote_withdraw,
)
from tests.factories import BareStaffFactory, BuyerFactory, ProductFactory
from tests.quotations.factories import DeskStaffFactory, offer, request_quote

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    buyer = BuyerFactory()
    return {
        "buyer": buyer,
        "colleague": BuyerFactory(company=buyer.company),
        "stranger": BuyerFactory(),
        "desk": DeskStaffFactory(),
        "desk_gone": DeskStaffFactory(is_active=False),
        "staff_without_desk": BareStaffFactory(),
    }


def told(kind):
    return {n.recipient for n in Notification.objects.filter(kind=kind)}


def test_a_new_request_tells_the_quote_desk_only(people):
    request_quote(people["buyer"], (ProductFactory(), 5))

    assert told(QUOTE_REQUESTED) == {people["desk"]}


def test_an_offer_tells_the_buyer_who_asked(people):
    product = ProductFactory()
    quote = request_quote(people["buyer"], (product, 5))

    offer(quote, people["desk"], {product: "9.50"})

    assert told(QUOTE_OFFERED) == {people["buyer"]}
    row = Notification.objects.get(kind=QUOTE_OFFERED)
    assert row.context["total"] == "$47.50"


def test_a_counter_proposal_and_a_withdrawal_tell_the_desk(people):
    product = ProductFactory()
    quote = offer(request_quote(people["buyer"], (product, 5)), people["desk"], {product: "9"})

    quote = quote_edit(
        quote_id=quote.pk,
        actor=people["buyer"],
        lines=[QuoteLineRequest(sku=product.sku, quantity=8, target_unit_price=None)],
        seen_version=quote.version,
    )
    quote_withdraw(quote_id=quote.pk, actor=people["buyer"], seen_version=quote.version)

    assert told(QUOTE_EDITED) == {people["desk"]}
    assert told(QUOTE_WITHDRAWN) == {people["desk"]}


def test_messages_go_to_the_other_side(people):
    quote = request_quote(people["buyer"], (ProductFactory(), 5))

    quote_post_message(quote_id=quote.pk, actor=people["buyer"], body="Any news?")
    assert told(QUOTE_MESSAGE) == {people["desk"]}

    Notification.objects.all().delete()
    quote_post_message(quote_id=quote.pk, actor=people["desk"], body="Tomorrow.")
    assert told(QUOTE_MESSAGE) == {people["buyer"]}
    assert Notification.objects.get().context["quoted"] == "Tomorrow."


def test_a_rejection_and_an_acceptance(people):
    product = ProductFactory()
    first = request_quote(people["buyer"], (product, 5))
    quote_reject(
        quote_id=first.pk, actor=people["desk"], seen_version=first.version, reason="No stock"
    )
    second = offer(request_quote(people["buyer"], (product, 5)), people["desk"], {product: "9"})

    quote_accept(quote_id=second.pk, actor=people["buyer"], seen_version=second.version)

    assert told(QUOTE_REJECTED) == {people["buyer"]}
    assert Notification.objects.get(kind=QUOTE_REJECTED).context["quoted"] == "No stock"
    assert told(QUOTE_ACCEPTED) == {people["desk"]}


def test_expiry_warning_once_then_expired(people):
    product = ProductFactory()
    quote = offer(
        request_quote(people["buyer"], (product, 5)), people["desk"], {product: "9"}, days=1
    )
    soon = quote.expires_at - timedelta(hours=2)

    assert quote_expiry_warnings_send(now=soon) == 1
    assert quote_expiry_warnings_send(now=soon) == 0  # safe to run twice
    quote_expire_due(now=quote.expires_at + timedelta(minutes=1))

    assert told(QUOTE_EXPIRING) == {people["buyer"]}
    assert told(QUOTE_EXPIRED) == {people["buyer"]}
    assert Quote.objects.get(pk=quote.pk).status == "expired"


def test_nobody_outside_the_quote_is_ever_told(people):
    product = ProductFactory()
    quote = request_quote(people["buyer"], (product, 5))
    quote = offer(quote, people["desk"], {product: "9"})
    quote_post_message(quote_id=quote.pk, actor=people["desk"], body="Valid for two weeks.")
    quote_accept(quote_id=quote.pk, actor=people["buyer"], seen_version=quote.version)

    recipients = {n.recipient for n in Notification.objects.all()}
    assert recipients == {people["buyer"], people["desk"]}
