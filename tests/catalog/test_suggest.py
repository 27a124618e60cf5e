"""SKU suggestions as one types: active products, by SKU or name (htmx, a datalist)."""

import re

import pytest
from django.urls import reverse

from catalog.selectors import product_suggestions
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog():
    return {
        "chair": ProductFactory(sku="CHR-1001", name="Ergonomic office chair"),
        "stool": ProductFactory(sku="STL-2001", name="Chair-height stool"),
        "old": ProductFactory(sku="CHR-0999", name="Old chair", is_active=False),
        "paper": ProductFactory(sku="PAP-4001", name="Copy paper"),
    }


def test_skus_that_start_with_the_text_come_first_then_names_that_hold_it(catalog):
    assert [p.sku for p in product_suggestions(company_id=None, q="ch")] == ["CHR-1001", "STL-2001"]
    assert [p.sku for p in product_suggestions(company_id=None, q="PAPER")] == ["PAP-4001"]


@pytest.mark.parametrize("q", ["", "c", " ", "\x00\x01", "x" * 500])
def test_too_little_or_odd_text_suggests_nothing_and_never_breaks(client, buyer, catalog, q):
    client.force_login(buyer)

    response = client.get(reverse("catalog:suggest"), {"q": q})

    assert response.status_code == 200
    assert "<option" not in response.content.decode()


def test_the_order_forms_sku_field_asks_for_suggestions_in_one_query(
    client, buyer, catalog, django_assert_max_num_queries
):
    client.force_login(buyer)

    with django_assert_max_num_queries(4):
        response = client.get(
            reverse("catalog:suggest"), {"lines-3-sku": "chr"}, HTTP_HX_REQUEST="true"
        )

    body = response.content.decode()
    assert '<option value="CHR-1001">Ergonomic office chair</option>' in body
    assert "CHR-0999" not in body  # no longer sold


def test_every_sku_field_of_the_order_form_is_tied_to_the_suggestions(client, buyer):
    client.force_login(buyer)

    body = client.get(reverse("orders:create")).content.decode()

    assert '<datalist id="sku-suggestions">' in body
    assert body.count('list="sku-suggestions"') == 5


# (not named "page": that is the browser's fixture, and would take the test among them)
@pytest.mark.parametrize("url_name", ["quotations:create", "orders:line_row"])
def test_every_sku_field_of_the_quote_form_and_an_added_row_is_tied_to_the_suggestions(
    client, buyer, url_name
):
    client.force_login(buyer)

    body = client.get(reverse(url_name), {"lines-TOTAL_FORMS": 5}).content.decode()

    sku_fields = re.findall(r'<input type="text" name="lines-\d+-sku"[^>]*>', body)
    assert sku_fields
    for field in sku_fields:
        assert 'list="sku-suggestions"' in field
        assert f'hx-get="{reverse("catalog:suggest")}"' in field
        assert 'hx-target="#sku-suggestions"' in field
    if url_name == "quotations:create":
        assert len(sku_fields) == 3 and '<datalist id="sku-suggestions">' in body


def test_the_quote_forms_sku_field_gets_suggestions_by_its_own_name(client, buyer, catalog):
    client.force_login(buyer)

    body = client.get(
        reverse("catalog:suggest"), {"lines-1-sku": "pap"}, HTTP_HX_REQUEST="true"
    ).content.decode()

    assert body.strip() == '<option value="PAP-4001">Copy paper</option>'
