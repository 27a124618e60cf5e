"""The quote list as CSV: the company's quotes for its contacts, every quote for the desk."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quotations.models import QuoteStatus
from quotations.selectors import quote_desk_list
from tests.factories import BareStaffFactory, BuyerFactory, CompanyFactory, ProductFactory
from tests.quotations.factories import DeskStaffFactory, QuoteFactory, offer, request_quote

pytestmark = pytest.mark.django_db


def export(client, **query) -> list[dict]:
    response = client.get(reverse("quotations:export"), query)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def numbers(rows: list[dict]) -> set[str]:
    return {row["Quote"] for row in rows}


def test_a_buyer_exports_their_companys_quotes_with_the_filters(client, buyer):
    requested = QuoteFactory(company=buyer.company, requested_by=buyer)
    offered = QuoteFactory(company=buyer.company, requested_by=buyer, status=QuoteStatus.OFFERED)
    elsewhere = QuoteFactory()
    client.force_login(buyer)

    assert numbers(export(client)) == {requested.number, offered.number}
    assert numbers(export(client, status="offered")) == {offered.number}
    assert numbers(export(client, waiting="true")) == {offered.number}  # waiting for the buyer
    assert elsewhere.number not in numbers(export(client, status=""))


def test_the_desk_exports_every_company_with_the_desk_filters(client):
    first, second = QuoteFactory(), QuoteFactory()
    client.force_login(DeskStaffFactory())

    assert numbers(export(client)) == {first.number, second.number}
    assert numbers(export(client, company_name=second.company.name)) == {second.number}
    assert numbers(export(client, number=first.number)) == {first.number}


def test_staff_off_the_desk_cannot_export_quotes(client):
    QuoteFactory()
    client.force_login(BareStaffFactory())

    assert client.get(reverse("quotations:export")).status_code == 403


def test_totals_are_the_sums_of_the_lines(client, buyer):
    cheap, dear = ProductFactory(unit_price="2.00"), ProductFactory(unit_price="10.00")
    quote = request_quote(buyer, (cheap, 3, "1.50"), (dear, 2))
    client.force_login(buyer)

    (row,) = export(client)
    assert (row["Lines"], row["Requested total"], row["Offered total"]) == ("2", "24.50", "")

    offer(quote, DeskStaffFactory(), {cheap: "1.75", dear: "9.00"})
    (row,) = export(client)
    assert (row["Status"], row["Offered total"], row["Currency"]) == ("Offered", "23.25", "USD")
    assert row["Offer valid until"]


def _queries_for(client, count: int) -> int:
    company = CompanyFactory()
    buyer = BuyerFactory(company=company)
    for _ in range(count):
        QuoteFactory(company=company, requested_by=BuyerFactory(company=company), lines=2)
    client.force_login(buyer)
    with CaptureQueriesContext(connection) as queries:
        assert len(export(client)) == count
    return len(queries)


def test_the_export_costs_the_same_queries_for_2_and_50_quotes(client):
    small = _queries_for(client, 2)
    large = _queries_for(client, 50)

    assert small == large
    assert large <= 6


def test_a_cell_that_looks_like_a_formula_is_neutralised(client):
    company = CompanyFactory(name='=HYPERLINK("http://evil.example")')
    buyer = BuyerFactory(company=company, full_name="@SUM(A1:A9)")
    QuoteFactory(company=company, requested_by=buyer)
    client.force_login(buyer)

    (row,) = export(client)

    assert row["Company"] == '\'=HYPERLINK("http://evil.example")'
    assert row["Requested by"] == "'@SUM(A1:A9)"


def test_the_desk_export_streams_in_chunks_in_the_desks_order(client, monkeypatch):
    monkeypatch.setattr("core.exports.CHUNK_SIZE", 2)
    for status in [QuoteStatus.REQUESTED, QuoteStatus.OFFERED, QuoteStatus.ACCEPTED] * 2:
        QuoteFactory(status=status, lines=1)
    desk = DeskStaffFactory()
    client.force_login(desk)
    listed = [q.number for q in quote_desk_list(user=desk)]

    assert [row["Quote"] for row in export(client)] == listed
