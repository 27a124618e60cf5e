"""Finding orders, quotes and products: one search box and filters."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.models import Order, OrderStatus
from tests.factories import BuyerFactory, ProductFactory, StaffFactory, place_order
from tests.quotations.factories import request_quote

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(buyer):
    laminator = ProductFactory(sku="LAM-7001", name="Laminating pouches A4")
    paper = ProductFactory(sku="PAP-4001", name="Copy paper")
    colleague = BuyerFactory(
        company=buyer.company, full_name="Petra Lindqvist", email="pl@acme.test"
    )
    return {
        "laminated": place_order(buyer, (laminator, 2)),
        "paper": place_order(colleague, (paper, 3)),
        "theirs": place_order(BuyerFactory(full_name="Petra Other"), (laminator, 1)),
    }


def _found(client, **params) -> list[str]:
    response = client.get(reverse("orders:list"), params)
    assert response.status_code == 200
    return [order.number for order in response.context["page"]]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("laminating", ["laminated"]),
        ("lam-70", ["laminated"]),
        ("POUCHES", ["laminated"]),
        ("petra", ["paper"]),  # the buyer's name; the other company's Petra is not found
        ("pl@acme", ["paper"]),
        ("paper", ["paper"]),
        ("nothing-like-it", []),
    ],
)
def test_orders_are_found_by_product_buyer_and_never_another_companys(
    client, buyer, book, q, expected
):
    client.force_login(buyer)

    assert _found(client, q=q) == [book[name].number for name in expected]


def test_an_order_is_found_by_its_number_whole_or_as_a_bare_number(client, buyer, book):
    order = book["paper"]
    client.force_login(buyer)

    assert _found(client, q=order.number.lower()) == [order.number]
    # (a bare number may also be part of somebody's email: those orders come too)
    assert order.number in _found(client, q=str(order.pk))
    assert _found(client, q=book["theirs"].number) == []


def test_status_and_date_range_narrow_the_search(client, buyer, book):
    Order.objects.filter(pk=book["paper"].pk).update(created_at=timezone.now() - timedelta(days=40))
    client.force_login(buyer)
    today = timezone.localdate()

    recent = _found(client, placed_from=(today - timedelta(days=7)).isoformat())
    old = _found(client, placed_to=(today - timedelta(days=30)).isoformat())
    approved = _found(client, status=book["laminated"].status, q="lam")

    assert recent == [book["laminated"].number]
    assert old == [book["paper"].number]
    assert approved == [book["laminated"].number]


def test_a_site_admin_finds_any_companys_orders(client, book):
    client.force_login(StaffFactory())

    assert set(_found(client, q="laminating")) == {
        book["laminated"].number,
        book["theirs"].number,
    }


@pytest.mark.parametrize(
    "params",
    [
        {"q": "\x00"},
        {"q": "x" * 5000},
        {"placed_from": "not a date"},
        {"placed_to": "99999-01-01"},
        {"q": "' OR 1=1 --", "status": "nope"},
        {"q": "%"},
        {"q": "_"},
    ],
)
def test_odd_searches_are_answered_never_broken(client, buyer, book, params):
    client.force_login(buyer)

    response = client.get(reverse("orders:list"), params)

    assert response.status_code == 200


def test_a_percent_sign_is_a_character_not_a_wildcard(client, buyer, book):
    client.force_login(buyer)

    assert _found(client, q="%") == []


@pytest.mark.parametrize("size", [3, 30])
def test_the_order_search_takes_a_constant_number_of_queries(
    client, buyer, size, django_assert_max_num_queries
):
    product = ProductFactory(name="Laminating pouches")
    for _ in range(size):
        place_order(buyer, (product, 1))
    client.force_login(buyer)

    with django_assert_max_num_queries(12):
        assert len(_found(client, q="laminating")) == min(size, 25)


def test_quotes_are_found_by_product_and_number(client, buyer):
    laminator = ProductFactory(sku="LAM-7001", name="Laminating pouches A4")
    paper = ProductFactory(name="Copy paper")
    wanted = request_quote(buyer, (laminator, 5))
    request_quote(buyer, (paper, 5))
    request_quote(BuyerFactory(), (laminator, 5))
    client.force_login(buyer)

    by_name = client.get(reverse("quotations:list"), {"q": "laminating"})
    by_number = client.get(reverse("quotations:list"), {"q": wanted.number.lower()})
    by_bare_number = client.get(reverse("quotations:list"), {"q": str(wanted.pk)})

    assert [q.number for q in by_name.context["page"]] == [wanted.number]
    assert [q.number for q in by_number.context["page"]] == [wanted.number]
    assert wanted.number in [q.number for q in by_bare_number.context["page"]]


def test_the_catalog_is_searched_by_sku_name_and_category(client, buyer):
    ProductFactory(sku="CHR-1001", name="Office chair", category="Furniture")
    ProductFactory(sku="PAP-4001", name="Copy paper", category="Office supplies")
    ProductFactory(sku="OLD-1", name="Old chair", category="Furniture", is_active=False)
    client.force_login(buyer)

    def skus(**params):
        return [p.sku for p in client.get(reverse("catalog:list"), params).context["page"]]

    assert skus(q="chr-10") == ["CHR-1001"]
    assert skus(q="chair") == ["CHR-1001"]
    assert skus(category="Office supplies") == ["PAP-4001"]
    assert skus(category="Furniture", q="paper") == []
    assert client.get(reverse("catalog:list"), {"category": "Nope"}).status_code == 200


def test_the_order_page_statuses_still_filter(client, buyer, book):
    client.force_login(buyer)

    assert _found(client, status=OrderStatus.CANCELLED) == []


@pytest.mark.parametrize(
    ("sparse_matches", "sparse_documents"), [(30, 2000), (30, 1), (0, 2000)], ids=str
)
def test_few_and_many_matches_find_the_same_orders(
    client, buyer, book, monkeypatch, sparse_matches, sparse_documents
):
    # the ids gathered through indexes, or the orders walked newest first
    monkeypatch.setattr("orders.selectors.search.SEARCH_SPARSE", sparse_matches)
    monkeypatch.setattr("orders.selectors.search.SPARSE_DOCUMENTS", sparse_documents)
    extra = place_order(buyer, (ProductFactory(name="Laminating film"), 1))
    client.force_login(buyer)

    assert _found(client, q="laminat") == [extra.number, book["laminated"].number]
    assert _found(client, q="petra") == [book["paper"].number]
    assert _found(client, q=book["paper"].number) == [book["paper"].number]
    assert _found(client, q="nothing-like-it") == []
