"""Writing through the API: the page's services, the page's rules; a refusal is a 4xx
with a clear error and changes nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from approvals.models import StepStatus
from orders.models import Channel, Order, OrderEvent, OrderStatus
from quotations.models import Quote, QuoteMessage, QuoteStatus
from tests.approvals.factories import ApprovalTierFactory
from tests.factories import BuyerFactory, ProductFactory, place_order
from tests.matrix import snapshot
from tests.quotations.factories import offer, request_quote

from .conftest import token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def product():
    return ProductFactory(sku="BOLT-M8", unit_price=Decimal("2.00"))


def _place(client, lines, key=None):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(reverse("api:orders"), {"lines": lines}, format="json", headers=headers)


def test_a_buyer_places_an_order_and_reads_it_back(buyer, product):
    client = token_client(buyer)
    response = _place(client, [{"sku": "bolt-m8 ", "quantity": 5}])
    assert response.status_code == 201, response.json()
    number = response.json()["number"]
    order = Order.objects.get(number=number)
    assert order.placed_by == buyer and order.total == Decimal("10.00")
    assert order.events.get().channel == Channel.API  # the history says where it came from
    assert client.get(reverse("api:order", args=[number])).json()["total"] == "10.00"


def test_a_retry_with_the_same_idempotency_key_returns_the_first_order(buyer, product):
    client = token_client(buyer)
    first = _place(client, [{"sku": product.sku, "quantity": 5}], key="erp-4711")
    again = _place(client, [{"sku": product.sku, "quantity": 5}], key="erp-4711")
    other = _place(client, [{"sku": product.sku, "quantity": 5}], key="erp-4712")

    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["number"] == first.json()["number"] != other.json()["number"]
    assert Order.objects.count() == 2


def test_the_same_key_from_another_person_is_their_own(buyer, product):
    colleague = BuyerFactory(company=buyer.company)
    mine = _place(token_client(buyer), [{"sku": product.sku, "quantity": 1}], key="k-1")
    theirs = _place(token_client(colleague), [{"sku": product.sku, "quantity": 1}], key="k-1")
    assert mine.json()["number"] != theirs.json()["number"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"lines": [{"sku": "NOPE", "quantity": 1}]}, "NOPE"),
        ({"lines": [{"sku": "BOLT-M8", "quantity": 0}]}, "BOLT-M8"),
        ({"lines": [{"sku": "BOLT-M8", "quantity": 10**30}]}, "BOLT-M8"),
        ({"lines": [{"sku": "BOLT-M8", "quantity": "many"}]}, "lines"),
        ({"lines": []}, None),
        ({"lines": "BOLT-M8"}, "lines"),
        ([1, 2], "non_field_errors"),
        ("just text", "non_field_errors"),
    ],
)
def test_a_refused_order_is_a_400_that_says_why_and_saves_nothing(buyer, product, body, field):
    client = token_client(buyer)
    before = snapshot()
    response = client.post(reverse("api:orders"), body, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["detail"]
    if field:
        assert field in response.json()["fields"], response.json()
    assert snapshot() == before


def test_malformed_json_is_a_400(buyer):
    client = token_client(buyer)
    response = client.post(reverse("api:orders"), "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "parse_error"


def test_a_bad_idempotency_key_is_refused(buyer, product):
    response = _place(token_client(buyer), [{"sku": product.sku, "quantity": 1}], key="x" * 300)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["fields"]
    assert not Order.objects.exists()


def test_edit_and_cancel_with_the_version_seen(buyer, product):
    order = place_order(buyer, (product, 1))
    client = token_client(buyer)
    url = reverse("api:order", args=[order.number])

    stale = client.put(
        url, {"version": 9, "lines": [{"sku": product.sku, "quantity": 3}]}, format="json"
    )
    assert stale.status_code == 409 and stale.json()["error"] == "stale_version"
    edited = client.put(
        url, {"version": 1, "lines": [{"sku": product.sku, "quantity": 3}]}, format="json"
    )
    assert edited.status_code == 200 and edited.json()["total"] == "6.00"
    cancel = reverse("api:order_cancel", args=[order.number])
    assert client.post(cancel, {"version": 1}, format="json").status_code == 409
    done = client.post(cancel, {"version": 2, "comment": "Twice."}, format="json")
    assert done.json()["status"] == OrderStatus.CANCELLED
    assert done.json()["history"][-1]["comment"] == "Twice."


@pytest.fixture
def waiting(buyer, product):
    tier = ApprovalTierFactory(company=buyer.company, minimum=Decimal("1.00"))
    order = place_order(buyer, (product, 10))
    return order, tier.approver


def _decide(client, order, **data):
    step = order.approval_steps.get(status=StepStatus.OPEN)
    body = {"step": step.pk, "version": order.version, **data}
    return client.post(reverse("api:order_decide", args=[order.number]), body, format="json")


def test_an_approver_approves_through_the_api(waiting):
    order, approver = waiting
    response = _decide(token_client(approver), order, decision="approve")
    assert response.status_code == 200
    assert response.json()["status"] == OrderStatus.APPROVED
    event = OrderEvent.objects.filter(order=order).last()
    assert (event.kind, event.channel, event.actor) == ("approved", Channel.API, approver)


def test_a_rejection_needs_a_comment(waiting):
    order, approver = waiting
    client = token_client(approver)
    before = snapshot()
    refused = _decide(client, order, decision="reject", comment=" ")
    assert refused.status_code == 400 and "comment" in refused.json()["fields"]
    assert snapshot() == before
    done = _decide(client, order, decision="request_changes", comment="Half, please.")
    assert done.json()["status"] == OrderStatus.CHANGES_REQUESTED


def test_a_buyer_never_decides_their_own_order(waiting, buyer):
    order, _approver = waiting
    client = token_client(buyer)
    before = snapshot()
    response = _decide(client, order, decision="approve")
    assert response.status_code == 403 and response.json()["error"] == "not_allowed"
    assert snapshot() == before


def test_a_step_of_another_order_is_not_found(waiting, buyer, product):
    order, approver = waiting
    other = place_order(buyer, (product, 20))
    step = other.approval_steps.get(status=StepStatus.OPEN)
    response = token_client(approver).post(
        reverse("api:order_decide", args=[order.number]),
        {"step": step.pk, "version": order.version, "decision": "approve"},
        format="json",
    )
    assert response.status_code == 404


def test_quote_request_message_offer_accept_and_fulfil(buyer, product, desk):
    client = token_client(buyer)
    asked = client.post(
        reverse("api:quotes"),
        {"lines": [{"sku": product.sku, "quantity": 100, "target_unit_price": "1.50"}]},
        format="json",
        headers={"Idempotency-Key": "rfq-1"},
    )
    assert asked.status_code == 201, asked.json()
    number = asked.json()["number"]
    again = client.post(
        reverse("api:quotes"),
        {"lines": [{"sku": product.sku, "quantity": 100}]},
        format="json",
        headers={"Idempotency-Key": "rfq-1"},
    )
    assert again.json()["number"] == number and Quote.objects.count() == 1

    posted = client.post(
        reverse("api:quote_messages", args=[number]), {"body": "Soon?"}, format="json"
    )
    assert posted.status_code == 201 and posted.json()["body"] == "Soon?"

    quote = Quote.objects.get(number=number)
    line = quote.lines.get()
    desk_client = token_client(desk)
    offered = desk_client.post(
        reverse("api:quote_offer", args=[number]),
        {
            "version": quote.version,
            "expires_on": (timezone.localdate() + timedelta(days=7)).isoformat(),
            "lines": [{"line_id": line.pk, "unit_price": "1.60"}],
            "message": "Best we can do.",
        },
        format="json",
    )
    assert offered.status_code == 200, offered.json()
    assert offered.json()["status"] == QuoteStatus.OFFERED

    refused = client.post(reverse("api:quote_accept", args=[number]), {"version": 1}, format="json")
    assert refused.status_code == 409
    accepted = client.post(
        reverse("api:quote_accept", args=[number]),
        {"version": offered.json()["version"]},
        format="json",
    )
    assert accepted.json()["status"] == QuoteStatus.ACCEPTED


def test_staff_fulfil_an_approved_order(buyer, product, staff):
    order = place_order(buyer, (product, 1))
    assert order.status == OrderStatus.APPROVED
    url = reverse("api:order_fulfil", args=[order.number])
    assert token_client(buyer).post(url, {}, format="json").status_code == 403
    response = token_client(staff).post(url, {"version": order.version}, format="json")
    assert response.json()["status"] == OrderStatus.FULFILLED


def test_a_message_on_another_companys_quote_is_not_found(buyer, product):
    theirs = request_quote(BuyerFactory(), (product, 5))
    before = QuoteMessage.objects.count()
    response = token_client(buyer).post(
        reverse("api:quote_messages", args=[theirs.number]), {"body": "Hi"}, format="json"
    )
    assert response.status_code == 404
    assert QuoteMessage.objects.count() == before


def test_an_offer_past_its_expiry_cannot_be_accepted(buyer, product, desk):
    quote = offer(request_quote(buyer, (product, 5)), desk, {product: "1.00"})
    Quote.objects.filter(pk=quote.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = token_client(buyer).post(
        reverse("api:quote_accept", args=[quote.number]), {"version": quote.version}, format="json"
    )
    assert response.status_code == 409
    assert Quote.objects.get(pk=quote.pk).status == QuoteStatus.OFFERED


def test_a_session_call_needs_the_csrf_token(buyer, product):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(buyer)
    assert client.get(reverse("api:orders")).status_code == 200
    response = _place(client, [{"sku": product.sku, "quantity": 1}])
    assert response.status_code == 403
    assert not Order.objects.exists()


def test_an_order_placed_with_its_header_reads_it_back_and_another_companys_address_is_404(
    buyer, product
):
    from tests.factories import DeliveryAddressFactory

    second = DeliveryAddressFactory(company=buyer.company, label="Warehouse", address="1 Dock Rd")
    theirs = DeliveryAddressFactory(label="Elsewhere")
    client = token_client(buyer)
    header = {
        "po_reference": "PO-API-1",
        "delivery_address": second.pk,
        "delivery_date": str(timezone.localdate() + timedelta(days=7)),
        "cost_centre": "CC-9",
        "note_to_seller": "Dock 4",
    }

    placed = client.post(
        reverse("api:orders"),
        {"lines": [{"sku": "BOLT-M8", "quantity": 1}], **header},
        format="json",
    )
    again = client.post(
        reverse("api:orders"),
        {"lines": [{"sku": "BOLT-M8", "quantity": 1}], "po_reference": "PO-API-1"},
        format="json",
    )
    before = snapshot()
    stranger = client.post(
        reverse("api:orders"),
        {"lines": [{"sku": "BOLT-M8", "quantity": 1}], "delivery_address": theirs.pk},
        format="json",
    )

    assert placed.status_code == 201, placed.json()
    body = placed.json()
    assert (body["po_reference"], body["cost_centre"]) == ("PO-API-1", "CC-9")
    assert "1 Dock Rd" in body["delivery_to"] and body["note_to_seller"] == "Dock 4"
    assert again.status_code == 400 and body["number"] in str(again.json())
    assert stranger.status_code == 404 and snapshot() == before
