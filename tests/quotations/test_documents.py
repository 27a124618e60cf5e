"""One document of a quote: every channel writes out the same header, lines and totals."""

import csv
import io
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone

from api.selectors import api_quotes_for
from notifications.kinds import webhook_event_values
from notifications.models import Notification, WebhookDelivery, WebhookEndpoint
from notifications.rendering import render_email
from orders.documents import HEADER_FIELDS
from orders.services import HeaderRequest
from quotations.documents import quote_document, quote_documents
from quotations.models import Quote
from quotations.notify import QUOTE_OFFERED, QUOTE_OFFERED_EVENT
from quotations.services import QuoteLineRequest, quote_request
from tests.api.conftest import token_client
from tests.factories import DeliveryAddressFactory, ProductFactory
from tests.quotations.factories import offer, request_quote

pytestmark = pytest.mark.django_db

# The header's columns in the CSV export, in the document's order.
CSV_HEADER = ["PO reference", "Deliver to", "Delivery date", "Cost centre", "Note to the seller"]


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def csv_rows(client) -> list[dict]:
    raw = b"".join(client.get(reverse("quotations:export")).streaming_content)
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_one_quote_says_the_same_through_every_channel(client, buyer, desk):
    # given a quote with every header field and two lines, offered by the desk, with a
    # receiver subscribed to every event
    buyer.company.vat_id = "DE123456789"
    buyer.company.save()
    address = DeliveryAddressFactory(
        company=buyer.company, label="Plant 7", address="1 Dock Road\nSpringfield"
    )
    WebhookEndpoint.objects.create(
        name="ERP", url="http://127.0.0.1:9/hooks", events=webhook_event_values()
    )
    bolts, nuts = ProductFactory(unit_price="2.00"), ProductFactory(unit_price="10.00")
    delivery_date = timezone.localdate() + timedelta(days=20)
    quote = quote_request(
        buyer=buyer,
        lines=[
            QuoteLineRequest(sku=bolts.sku, quantity=3, target_unit_price=Decimal("1.50")),
            QuoteLineRequest(sku=nuts.sku, quantity=2),
        ],
        header=HeaderRequest(
            po_reference="PO-Q-7",
            delivery_address_id=address.pk,
            delivery_date=delivery_date,
            cost_centre="Plant 7 maintenance",
            note_to_seller="Quote in EUR too",
        ),
    )
    offer(quote, desk, {bolts: "1.75", nuts: "9.00"})
    quote = Quote.objects.get(pk=quote.pk)
    document = quote_document(quote, thread=True)

    # when it is written out by the API, a webhook, the CSV export and an email
    api = token_client(buyer).get(reverse("api:quote", args=[quote.number])).json()
    hook = WebhookDelivery.objects.get(event=QUOTE_OFFERED_EVENT).payload["data"]
    client.force_login(buyer)
    (row,) = csv_rows(client)
    email = Notification.objects.get(kind=QUOTE_OFFERED, recipient=buyer)
    body = render_email(email).body

    # then each carries the same header (the API shows none of a quote's: as before)
    header = {
        "po_reference": "PO-Q-7",
        "delivery_to": "Plant 7\n1 Dock Road\nSpringfield",
        "delivery_date": delivery_date.isoformat(),
        "cost_centre": "Plant 7 maintenance",
        "note_to_seller": "Quote in EUR too",
    }
    assert {name: getattr(document.header, name) for name in HEADER_FIELDS} == {
        **header,
        "delivery_date": delivery_date,
    }
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
        ["Your PO reference", "PO-Q-7"],
        ["Deliver to", "Plant 7, 1 Dock Road, Springfield"],
        ["Requested delivery date", formats.date_format(delivery_date)],
        ["Cost centre", "Plant 7 maintenance"],
        ["Note to the seller", "Quote in EUR too"],
        ["VAT or tax id", "DE123456789"],
    ]

    # the same lines
    assert [
        (line.sku, line.quantity, line.target_unit_price, line.offered_unit_price)
        for line in document.lines
    ] == [
        (bolts.sku, 3, Decimal("1.50"), Decimal("1.75")),
        (nuts.sku, 2, None, Decimal("9.00")),
    ]
    assert [
        (line["sku"], line["quantity"], line["target_unit_price"], line["offered_unit_price"])
        for line in api["lines"]
    ] == [(bolts.sku, 3, "1.50", "1.75"), (nuts.sku, 2, None, "9.00")]
    assert [line["catalog_unit_price"] for line in api["lines"]] == ["2.00", "10.00"]
    assert hook["lines"] == [
        {
            "sku": bolts.sku,
            "name": bolts.name,
            "quantity": 3,
            "target_unit_price": "1.50",
            "offered_unit_price": "1.75",
            "line_total": "5.25",
        },
        {
            "sku": nuts.sku,
            "name": nuts.name,
            "quantity": 2,
            "target_unit_price": None,
            "offered_unit_price": "9.00",
            "line_total": "18.00",
        },
    ]
    assert row["Lines"] == "2"

    # and the same totals: requested at the target price (else the catalog's), offered
    assert (document.requested_total, document.offered_total) == (
        Decimal("24.50"),
        Decimal("23.25"),
    )
    assert hook["requested_total"] == row["Requested total"] == "24.50"
    assert hook["total"] == row["Offered total"] == "23.25"
    assert email.context["total"] == "$23.25"
    assert f"made an offer on your quote {quote.number}: $23.25." in body
    assert hook["currency"] == row["Currency"] == document.currency
    assert api["number"] == hook["number"] == row["Quote"] == email.reference == quote.number
    assert api["status"] == hook["status"] == "offered" and row["Status"] == "Offered"
    assert [r["number"] for r in api["revisions"]] == [r.number for r in document.revisions]
    assert moment(api["created_at"]) == moment(hook["requested_at"]) == quote.created_at
    assert moment(api["expires_at"]) == moment(hook["offer_valid_until"]) == quote.expires_at
    assert row["Offer valid until"] == timezone.localtime(quote.expires_at).strftime(
        "%Y-%m-%d %H:%M"
    )


@pytest.mark.parametrize("count", [2, 20])
def test_a_list_of_quote_documents_costs_one_query_per_part_however_long(buyer, count):
    product = ProductFactory()
    for _ in range(count):
        request_quote(buyer, (product, 3))
    quotes = list(Quote.objects.select_related("company", "requested_by"))

    with CaptureQueriesContext(connection) as queries:
        documents = quote_documents(quotes, thread=True)

    assert len(queries) == 3  # lines, revisions, messages for the whole list
    assert [d.line_count for d in documents] == [1] * count
    assert all(d.requested_total == Decimal("30.00") for d in documents)

    listed = list(api_quotes_for(user=buyer))
    with CaptureQueriesContext(connection) as queries:
        quote_documents(listed, thread=True)
    assert len(queries) == 0
