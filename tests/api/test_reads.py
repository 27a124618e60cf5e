"""Reading through the API: what each person sees, filtered, paged by cursor, at a
constant number of queries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.models import Order, OrderStatus
from orders.services import order_cancel
from tests.approvals.factories import ApprovalTierFactory
from tests.factories import BareStaffFactory, BuyerFactory, ProductFactory, place_order
from tests.matrix import API_MATRIX
from tests.quotations.factories import offer, request_quote

from .conftest import token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def product():
    return ProductFactory(unit_price=Decimal("10.00"))


def test_a_buyer_lists_their_companys_orders_with_lines_steps_and_history(buyer, product):
    ApprovalTierFactory(company=buyer.company, minimum=Decimal("100.00"))
    waiting = place_order(buyer, (product, 20))
    colleague = BuyerFactory(company=buyer.company)
    place_order(colleague, (product, 1))
    place_order(BuyerFactory(), (product, 1))  # another company's

    response = token_client(buyer).get(reverse("api:orders"))

    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == 2
    first = next(row for row in rows if row["number"] == waiting.number)
    assert first["status"] == OrderStatus.PENDING_APPROVAL
    assert first["total"] == "200.00"
    assert first["lines"] == [
        {
            "sku": product.sku,
            "name": product.name,
            "quantity": 20,
            "unit_price": "10.00",
            "line_total": "200.00",
        }
    ]
    assert [step["status"] for step in first["approval_steps"]] == ["open"]
    assert first["history"][0]["kind"] == "placed"


def test_orders_filter_by_status_company_and_updated_since(buyer, product, staff):
    kept = place_order(buyer, (product, 1))
    cancelled = place_order(buyer, (product, 2))
    order_cancel(order_id=cancelled.pk, actor=buyer, seen_version=1)
    other = place_order(BuyerFactory(), (product, 3))
    Order.objects.filter(pk=kept.pk).update(updated_at=timezone.now() - timedelta(days=3))
    client = token_client(buyer)

    def numbers(**query):
        response = client.get(reverse("api:orders"), query)
        assert response.status_code == 200, response.json()
        return {row["number"] for row in response.json()["results"]}

    assert numbers(status="cancelled") == {cancelled.number}
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert numbers(updated_since=since) == {cancelled.number}
    assert numbers(company=other.company_id) == set()  # never another company's
    staff_client = token_client(staff)
    response = staff_client.get(reverse("api:orders"), {"company": other.company_id})
    assert {row["number"] for row in response.json()["results"]} == {other.number}


@pytest.mark.parametrize(
    "query",
    [{"status": "lost"}, {"updated_since": "yesterday"}, {"company": "x"}, {"cursor": "zz"}],
)
def test_a_filter_that_cannot_be_read_is_a_400_or_404_never_a_500(buyer, query):
    response = token_client(buyer).get(reverse("api:orders"), query)
    assert response.status_code in (400, 404)
    assert response.json()["detail"]


@pytest.mark.parametrize("name", ["api:orders", "api:quotes"])
def test_updated_since_with_any_offset_python_reads_is_a_moment_not_a_500(buyer, product, name):
    # Postgres takes offsets up to 15:59; Python reads up to 23:59
    place_order(buyer, (product, 1))
    request_quote(buyer, (product, 1))
    client = token_client(buyer)

    far_east = client.get(reverse(name), {"updated_since": "2000-01-01T00:00:00+23:50"})
    assert far_east.status_code == 200 and len(far_east.json()["results"]) == 1
    future = client.get(reverse(name), {"updated_since": "9999-12-31T23:00:00+15:00"})
    assert future.status_code == 200 and future.json()["results"] == []
    for past_year_one in ("0001-01-01T00:00:00+01:00", "9999-12-31T23:59:00-01:00"):
        refused = client.get(reverse(name), {"updated_since": past_year_one})
        assert refused.status_code == 400
        assert list(refused.json()["fields"]) == ["updated_since"]


def test_orders_page_by_cursor(buyer, product):
    placed = [place_order(buyer, (product, 1)).number for _ in range(5)]
    client = token_client(buyer)
    seen, url = [], reverse("api:orders") + "?page_size=2"
    while url:
        body = client.get(url).json()
        seen += [row["number"] for row in body["results"]]
        url = body["next"]
    assert seen == list(reversed(placed))


def test_one_order_and_another_companys_is_not_found(buyer, product):
    mine = place_order(buyer, (product, 1))
    theirs = place_order(BuyerFactory(), (product, 1))
    client = token_client(buyer)
    assert client.get(reverse("api:order", args=[mine.number])).json()["number"] == mine.number
    response = client.get(reverse("api:order", args=[theirs.number]))
    assert response.status_code == 404
    assert theirs.number not in response.content.decode()


def test_staff_without_oversight_see_no_orders(product):
    place_order(BuyerFactory(), (product, 1))
    response = token_client(BareStaffFactory()).get(reverse("api:orders"))
    assert response.json()["results"] == []


def test_quotes_with_lines_revisions_and_messages(buyer, product, desk):
    quote = offer(request_quote(buyer, (product, 10)), desk, {product: "9.00"})
    request_quote(BuyerFactory(), (product, 5))  # another company's

    client = token_client(buyer)
    rows = client.get(reverse("api:quotes")).json()["results"]
    assert [row["number"] for row in rows] == [quote.number]
    detail = client.get(reverse("api:quote", args=[quote.number])).json()
    assert detail["status"] == "offered"
    assert detail["lines"][0]["offered_unit_price"] == "9.00"
    assert [r["kind"] for r in detail["revisions"]] == ["requested", "offered"]
    assert detail["messages"] is not None


def test_products_company_and_contacts(buyer, product):
    ProductFactory(is_active=False)
    colleague = BuyerFactory(company=buyer.company, full_name="Aaron Colleague")
    BuyerFactory(company=buyer.company, is_active=False)
    BuyerFactory()  # another company's
    client = token_client(buyer)

    products = client.get(reverse("api:products")).json()["results"]
    assert [p["sku"] for p in products] == [product.sku]
    one = client.get(reverse("api:products"), {"sku": product.sku.lower()}).json()["results"]
    assert [p["sku"] for p in one] == [product.sku]
    assert client.get(reverse("api:company")).json()["id"] == buyer.company_id
    contacts = client.get(reverse("api:contacts")).json()["results"]
    assert [c["email"] for c in contacts] == [colleague.email, buyer.email]


def test_staff_have_no_company(staff):
    client = token_client(staff)
    assert client.get(reverse("api:company")).status_code == 404
    assert client.get(reverse("api:contacts")).status_code == 404


def _orders_of(buyer, product, n):
    ApprovalTierFactory(company=buyer.company, minimum=Decimal("5.00"))
    for i in range(n):
        place_order(buyer, (product, 1 + i % 3))


@pytest.mark.parametrize("rows", [2, 20])
def test_the_order_list_costs_the_same_queries_for_2_or_20_orders(
    django_assert_max_num_queries, buyer, product, rows
):
    _orders_of(buyer, product, rows)
    client = token_client(buyer)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("api:orders"))
    assert len(response.json()["results"]) == rows


@pytest.mark.parametrize("rows", [2, 20])
def test_the_quote_list_costs_the_same_queries_for_2_or_20_quotes(
    django_assert_max_num_queries, buyer, product, rows
):
    for _ in range(rows):
        request_quote(buyer, (product, 3))
    client = token_client(buyer)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("api:quotes"))
    assert len(response.json()["results"]) == rows


@pytest.mark.parametrize("rows", [2, 20])
def test_products_and_contacts_cost_the_same_queries_for_2_or_20_rows(
    django_assert_max_num_queries, buyer, rows
):
    for _ in range(rows):
        ProductFactory()
        BuyerFactory(company=buyer.company)
    client = token_client(buyer)
    with django_assert_max_num_queries(4):
        assert len(client.get(reverse("api:products")).json()["results"]) == rows
    with django_assert_max_num_queries(4):
        assert len(client.get(reverse("api:contacts")).json()["results"]) == rows + 1


def test_options_names_every_endpoint_and_never_fails(buyer, product):
    # it once looked the order up without a queryset to describe PUT's fields: a 500
    numbers = {
        "order": place_order(buyer, (product, 1)).number,
        "quote": request_quote(buyer, (product, 1)).number,
    }
    client = token_client(buyer)
    endpoints = {name.split("@")[0] for name in API_MATRIX} - {
        "api:schema",
        "api:docs",
        "api:redoc",
    }
    assert len(endpoints) == 13
    for name in sorted(endpoints):
        kind = name.removeprefix("api:").split("_")[0]
        url = reverse(name, args=[numbers[kind]] if kind in numbers else [])
        response = client.options(url)
        assert response.status_code == 200, url
        assert response.json()["name"] and "actions" not in response.json(), url
