"""One document of an order: every channel writes out the same header, lines and totals,
and a list of documents costs the same few queries however long it is."""

import csv
import io
from dataclasses import asdict
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone

from api.selectors import api_orders_for
from approvals.models import ApprovalStep, Decision, StepStatus
from approvals.services import approval_step_decide
from notifications.kinds import webhook_event_values
from notifications.models import Notification, WebhookDelivery, WebhookEndpoint
from notifications.rendering import render_email
from orders.documents import HEADER_FIELDS, order_document, order_documents
from orders.models import Order
from orders.notify import ORDER_APPROVED, ORDER_APPROVED_EVENT
from orders.services import HeaderRequest, LineRequest, order_place
from tests.api.conftest import token_client
from tests.approvals.factories import source_example
from tests.factories import DeliveryAddressFactory

pytestmark = pytest.mark.django_db

# The header's columns in the CSV export, in the document's order.
CSV_HEADER = ["PO reference", "Deliver to", "Delivery date", "Cost centre", "Note to the seller"]


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def csv_rows(client, url_name: str) -> list[dict]:
    raw = b"".join(client.get(reverse(url_name)).streaming_content)
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


@pytest.fixture
def approved_order():
    """An order with every header field and two lines, approved by its approver, with a
    receiver subscribed to every event."""
    example = source_example()
    example.company.vat_id = "DE123456789"
    example.company.payment_terms = "30 days net"
    example.company.save()
    address = DeliveryAddressFactory(
        company=example.company, label="Plant 7", address="1 Dock Road\nSpringfield"
    )
    WebhookEndpoint.objects.create(
        name="ERP", url="http://127.0.0.1:9/hooks", events=webhook_event_values()
    )
    order = order_place(
        buyer=example.buyer,
        lines=[
            LineRequest(sku=example.unit.sku, quantity=2000),
            LineRequest(sku=example.cent.sku, quantity=150),
        ],
        header=HeaderRequest(
            po_reference="PO-ACME-1",
            delivery_address_id=address.pk,
            delivery_date=timezone.localdate() + timedelta(days=10),
            cost_centre="Plant 7 maintenance",
            note_to_seller="Dock 3, ring twice",
        ),
    )
    approval_step_decide(
        step_id=ApprovalStep.objects.get(order=order, status=StepStatus.OPEN).pk,
        actor=example.approver1,
        decision=Decision.APPROVE,
        comment="Fine",
        seen_version=order.version,
    )
    return example, Order.objects.get(pk=order.pk)


def test_one_order_says_the_same_through_every_channel(client, approved_order):
    example, order = approved_order
    delivery_date = timezone.localdate() + timedelta(days=10)
    document = order_document(order, approvals=True, history=True)

    # when it is written out by the API, a webhook, the CSV export and an email
    api = token_client(example.buyer).get(reverse("api:order", args=[order.number])).json()
    hook = WebhookDelivery.objects.get(event=ORDER_APPROVED_EVENT).payload["data"]
    client.force_login(example.buyer)
    (row,) = [r for r in csv_rows(client, "orders:export") if r["Order"] == order.number]
    email = Notification.objects.get(kind=ORDER_APPROVED, recipient=example.buyer)
    body = render_email(email).body

    # then each carries the same header
    header = {
        "po_reference": "PO-ACME-1",
        "delivery_to": "Plant 7\n1 Dock Road\nSpringfield",
        "delivery_date": delivery_date.isoformat(),
        "cost_centre": "Plant 7 maintenance",
        "note_to_seller": "Dock 3, ring twice",
    }
    assert {name: getattr(document.header, name) for name in HEADER_FIELDS} == {
        **header,
        "delivery_date": delivery_date,
    }
    assert {name: api[name] for name in HEADER_FIELDS} == header
    assert {name: hook[name] for name in HEADER_FIELDS} == header
    csv_header = [
        "PO reference",
        "Deliver to",
        "Delivery date",
        "Cost centre",
        "Note to the seller",
    ]
    assert [row[column] for column in csv_header] == list(header.values())
    assert email.context["details"] == [
        ["Your PO reference", "PO-ACME-1"],
        ["Deliver to", "Plant 7, 1 Dock Road, Springfield"],
        ["Requested delivery date", formats.date_format(delivery_date)],
        ["Cost centre", "Plant 7 maintenance"],
        ["Note to the seller", "Dock 3, ring twice"],
        ["VAT or tax id", "DE123456789"],
        ["Payment terms", "30 days net"],
    ]
    assert "Deliver to: Plant 7, 1 Dock Road, Springfield" in body

    # the same lines
    lines = [
        {
            "sku": example.unit.sku,
            "name": example.unit.name,
            "quantity": 2000,
            "unit_price": "1.00",
            "line_total": "2000.00",
        },
        {
            "sku": example.cent.sku,
            "name": example.cent.name,
            "quantity": 150,
            "unit_price": "0.01",
            "line_total": "1.50",
        },
    ]
    assert [
        {**asdict(line), "unit_price": str(line.unit_price), "line_total": str(line.line_total)}
        for line in document.lines
    ] == lines
    assert api["lines"] == lines
    assert hook["lines"] == lines
    assert row["Lines"] == "2"

    # and the same totals, and the same order
    assert document.total == Decimal("2001.50")
    assert api["total"] == hook["total"] == row["Total"] == "2001.50"
    assert api["currency"] == hook["currency"] == row["Currency"] == document.currency
    assert email.context["total"] == "$2,001.50"
    assert f"Your order {order.number} ($2,001.50) was approved." in body
    assert api["number"] == hook["number"] == row["Order"] == email.reference == order.number
    assert api["status"] == hook["status"] == "approved" and row["Status"] == "Approved"
    assert (
        api["company"]
        == hook["company"]
        == {
            "id": example.company.pk,
            "name": example.company.name,
        }
    )
    assert hook["placed_by"] == row["Email"] == example.buyer.email
    assert moment(api["created_at"]) == moment(hook["placed_at"]) == order.created_at
    assert row["Placed at"] == timezone.localtime(order.created_at).strftime("%Y-%m-%d %H:%M")


def test_the_api_shows_the_documents_approvals_and_history(approved_order):
    example, order = approved_order
    document = order_document(order, approvals=True, history=True)

    api = token_client(example.buyer).get(reverse("api:order", args=[order.number])).json()

    (step,) = document.approvals
    assert [s["id"] for s in api["approval_steps"]] == [step.id]
    assert api["approval_steps"][0]["decided_by"] == {
        "id": example.approver1.pk,
        "full_name": example.approver1.full_name,
    }
    assert api["approval_steps"][0]["comment"] == "Fine"
    assert [(e["kind"], e["to_status"]) for e in api["history"]] == [
        (e.kind, e.to_status) for e in document.history
    ]
    assert [e["kind"] for e in api["history"]] == ["placed", "approved"]


def _orders(count: int) -> list[Order]:
    example = source_example()
    for i in range(count):
        order_place(
            buyer=example.buyer,
            lines=[
                LineRequest(sku=example.unit.sku, quantity=2000 + i),
                LineRequest(sku=example.cent.sku, quantity=1 + i),
            ],
        )
    return list(
        Order.objects.filter(company=example.company).select_related("company", "placed_by")
    )


@pytest.mark.parametrize("count", [2, 20])
def test_a_list_of_documents_costs_one_query_per_part_however_long(count):
    orders = _orders(count)

    with CaptureQueriesContext(connection) as queries:
        documents = order_documents(orders, approvals=True, history=True)

    # lines, history, steps and their approvers: one query each for the whole list
    assert len(queries) == 4
    assert [len(d.lines) for d in documents] == [2] * count
    assert all(len(d.approvals) == 1 and len(d.history) == 1 for d in documents)


def test_a_list_read_with_the_documents_parts_builds_them_without_a_query():
    orders = _orders(3)
    listed = list(api_orders_for(user=orders[0].placed_by))

    with CaptureQueriesContext(connection) as queries:
        documents = order_documents(listed, approvals=True, history=True)

    assert len(queries) == 0
    assert [d.number for d in documents] == [o.number for o in listed]


def test_building_a_document_leaves_the_order_as_it_was_read():
    (order,) = _orders(1)

    order_document(order, approvals=True, history=True)

    # nothing is kept on the instance: its lines may still change in the caller's hands
    assert not getattr(order, "_prefetched_objects_cache", {})
