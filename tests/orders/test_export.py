"""The order list as CSV: the page's filters, the person's orders, a fixed number of queries."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders.models import OrderLine, OrderStatus
from orders.selectors import order_list_for_user
from tests.factories import (
    BareStaffFactory,
    BuyerFactory,
    CompanyFactory,
    OrderFactory,
    ProductFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db


def export(client, **query):
    response = client.get(reverse("orders:export"), query)
    assert response.status_code == 200
    assert response.streaming
    raw = b"".join(response.streaming_content)
    return response, raw


def rows(raw: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def numbers(raw: bytes) -> set[str]:
    return {row["Order"] for row in rows(raw)}


def test_a_buyer_exports_their_companys_orders_and_never_anothers(client, buyer):
    colleague = BuyerFactory(company=buyer.company)
    mine = OrderFactory(company=buyer.company, placed_by=buyer, total="12.50")
    theirs = OrderFactory(company=buyer.company, placed_by=colleague)
    elsewhere = OrderFactory()
    client.force_login(buyer)

    response, raw = export(client)

    assert numbers(raw) == {mine.number, theirs.number}
    assert elsewhere.number not in raw.decode()
    assert elsewhere.company.name not in raw.decode()
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="orders-')
    assert raw.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    row = next(r for r in rows(raw) if r["Order"] == mine.number)
    assert row["Company"] == buyer.company.name
    assert row["Placed by"] == buyer.full_name
    assert row["Email"] == buyer.email
    assert row["Status"] == "Approved"
    assert (row["Total"], row["Currency"]) == ("12.50", "USD")


def test_the_page_filters_are_honoured(client, buyer):
    colleague = BuyerFactory(company=buyer.company)
    approved = OrderFactory(company=buyer.company, placed_by=buyer)
    waiting = OrderFactory(
        company=buyer.company, placed_by=buyer, status=OrderStatus.PENDING_APPROVAL
    )
    colleagues = OrderFactory(company=buyer.company, placed_by=colleague)
    client.force_login(buyer)

    assert numbers(export(client, status="approved")[1]) == {approved.number, colleagues.number}
    assert numbers(export(client, mine="true")[1]) == {approved.number, waiting.number}
    assert numbers(export(client, number=waiting.number[-3:])[1]) == {waiting.number}
    assert numbers(export(client, status="approved", mine="true")[1]) == {approved.number}
    # a filter the list cannot read is ignored by both, as on the page
    assert len(numbers(export(client, status="nonsense")[1])) == 3


def test_the_list_links_to_its_export_with_its_filters(client, buyer):
    client.force_login(buyer)

    page = client.get(reverse("orders:list"), {"status": "approved", "mine": "true", "page": "2"})

    assert page.context["export_query"] == "status=approved&mine=true"
    assert f'href="{reverse("orders:export")}?status=approved&amp;mine=true"' in (
        page.content.decode()
    )


def test_site_admins_who_oversee_orders_export_every_company(client):
    orders = [OrderFactory(), OrderFactory()]
    client.force_login(StaffFactory())

    assert numbers(export(client)[1]) == {o.number for o in orders}


def test_staff_without_oversight_cannot_export(client):
    OrderFactory()
    client.force_login(BareStaffFactory())

    assert client.get(reverse("orders:export")).status_code == 403


def _queries_for(client, count: int) -> int:
    company = CompanyFactory()
    buyer = BuyerFactory(company=company)
    product = ProductFactory()
    for _ in range(count):
        order = OrderFactory(company=company, placed_by=BuyerFactory(company=company))
        OrderLine.objects.create(
            order=order, product=product, quantity=1, unit_price="1.00", line_total="1.00"
        )
    client.force_login(buyer)
    with CaptureQueriesContext(connection) as queries:
        _, raw = export(client)
    assert len(rows(raw)) == count
    return len(queries)


def test_the_export_costs_the_same_queries_for_2_and_50_orders(client):
    small = _queries_for(client, 2)
    large = _queries_for(client, 50)

    assert small == large
    assert large <= 6


@pytest.mark.parametrize(
    "hostile",
    ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)"],
)
def test_a_cell_that_looks_like_a_formula_is_neutralised(client, hostile):
    company = CompanyFactory(name=hostile)
    buyer = BuyerFactory(company=company, full_name=hostile)
    OrderFactory(company=company, placed_by=buyer)
    client.force_login(buyer)

    (row,) = rows(export(client)[1])

    assert row["Company"] == "'" + hostile
    assert row["Placed by"] == "'" + hostile


def test_lines_are_counted_per_order(client, buyer):
    order = OrderFactory(company=buyer.company, placed_by=buyer)
    for product in (ProductFactory(), ProductFactory()):
        OrderLine.objects.create(
            order=order, product=product, quantity=2, unit_price="5.00", line_total="10.00"
        )
    client.force_login(buyer)

    (row,) = rows(export(client)[1])

    assert row["Lines"] == "2"


def test_rows_stream_in_chunks_each_once_in_the_lists_order(client, buyer, monkeypatch):
    monkeypatch.setattr("core.exports.CHUNK_SIZE", 3)
    same_moment = OrderFactory(company=buyer.company, placed_by=buyer).created_at
    for _ in range(7):  # ties on the time: the id decides
        OrderFactory(company=buyer.company, placed_by=buyer, created_at=same_moment)
    client.force_login(buyer)
    listed = [o.number for o in order_list_for_user(user=buyer)]

    with CaptureQueriesContext(connection) as queries:
        exported = [row["Order"] for row in rows(export(client)[1])]

    assert exported == listed and len(exported) == 8
    assert sum('FROM "orders_order"' in q["sql"] for q in queries.captured_queries) == 3
