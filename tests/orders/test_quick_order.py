from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.models import Product
from tests.factories import BuyerFactory, OrderFactory, ProductFactory, place_order

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def preview(client, *rows, row=0):
    params = {"row": str(row), "lines-TOTAL_FORMS": str(len(rows))}
    for i, (sku, quantity) in enumerate(rows):
        params[f"lines-{i}-sku"] = sku
        params[f"lines-{i}-quantity"] = quantity
    return client.get(reverse("orders:line_preview"), params, **HTMX)


def test_the_line_preview_shows_name_unit_price_line_total_and_order_total(client, buyer):
    chair = ProductFactory(name="Office chair", unit_price=Decimal("199.50"))
    paper = ProductFactory(unit_price=Decimal("5.00"))
    client.force_login(buyer)

    response = preview(client, (chair.sku.lower(), "3"), (paper.sku, "2"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Office chair" in body
    assert "$199.50 each" in body
    assert 'id="line-total-0" hx-swap-oob="true">$598.50<' in body
    assert 'id="order-total-preview" hx-swap-oob="true">$608.50<' in body


@pytest.mark.parametrize(
    ("sku", "quantity", "message"),
    [
        ("NOPE-1", "1", "No product has the SKU NOPE-1."),
        ("OLD-1", "1", "OLD-1 is no longer sold."),
        ("GOOD-1", "abc", "Quantity must be a whole number from 1 to 100,000."),
        ("GOOD-1", "0", "Quantity must be a whole number from 1 to 100,000."),
        ("GOOD-1", "100001", "Quantity must be a whole number from 1 to 100,000."),
        ("GOOD-1", "-3", "Quantity must be a whole number from 1 to 100,000."),
    ],
)
def test_the_line_preview_explains_what_is_wrong_instead_of_failing(
    client, buyer, sku, quantity, message
):
    ProductFactory(sku="GOOD-1")
    ProductFactory(sku="OLD-1", is_active=False)
    client.force_login(buyer)

    response = preview(client, (sku, quantity))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'id="order-total-preview" hx-swap-oob="true">$0.00<' in response.content.decode()


@pytest.mark.parametrize("params", [{}, {"row": "x"}, {"row": "5", "lines-TOTAL_FORMS": "zz"}])
def test_a_mangled_preview_request_is_never_a_server_error(client, buyer, params):
    client.force_login(buyer)

    response = client.get(reverse("orders:line_preview"), params, **HTMX)

    assert response.status_code in (200, 404)


def test_the_line_preview_is_for_contacts_only(client, staff):
    client.force_login(staff)

    assert preview(client, ("X", "1")).status_code == 403


def test_add_line_with_htmx_returns_one_row_and_the_new_form_count(client, buyer):
    client.force_login(buyer)

    response = client.get(reverse("orders:line_row"), {"lines-TOTAL_FORMS": "5"}, **HTMX)

    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('class="order-line"') == 1
    assert 'name="lines-5-sku"' in body
    assert ">SKU 6</label>" in body and ">Quantity 6</label>" in body
    assert 'id="id_lines-TOTAL_FORMS" hx-swap-oob="true"' in body
    assert 'value="6"' in body


def test_add_line_without_javascript_keeps_what_was_typed_and_adds_rows(client, buyer):
    product = ProductFactory(unit_price=Decimal("2.00"))
    client.force_login(buyer)

    response = client.post(
        reverse("orders:create"),
        {
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-sku": product.sku,
            "lines-0-quantity": "4",
            "action": "add_line",
        },
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert f'value="{product.sku}"' in body
    assert ">SKU 6</label>" in body
    assert 'id="order-total-preview">$8.00<' in body
    assert "is-invalid" not in body


def test_the_order_form_keeps_the_labels_the_browser_tests_use(client, buyer):
    client.force_login(buyer)

    body = client.get(reverse("orders:create")).content.decode()

    assert ">SKU 1</label>" in body and ">Quantity 1</label>" in body
    assert "Place order</button>" in body
    # the default button of the form (Enter in a field) places the order
    assert body.index('value="order"') < body.index('value="add_line"')


def test_order_again_prefills_the_lines_at_todays_prices_and_drops_withdrawn_products(
    client, buyer
):
    kept = ProductFactory(name="Stapler", unit_price=Decimal("10.00"))
    gone = ProductFactory(unit_price=Decimal("3.00"))
    past = place_order(buyer, (kept, 2), (gone, 5))
    Product.objects.filter(pk=kept.pk).update(unit_price=Decimal("12.00"))
    Product.objects.filter(pk=gone.pk).update(is_active=False)
    client.force_login(buyer)

    response = client.get(reverse("orders:create"), {"again": past.number})

    body = response.content.decode()
    assert response.status_code == 200
    assert f'name="lines-0-sku" id="id_lines-0-sku" value="{kept.sku}"' in body
    assert gone.sku not in body[body.index('id="order-lines"') :]
    assert "$24.00" in body  # 2 × today's $12.00
    assert f"No longer sold, so left out: {gone.sku}." in body
    assert 'id="order-total-preview">$24.00<' in body


def test_order_again_is_on_the_order_page_not_repeated_on_every_row_of_the_list(client, buyer):
    orders = OrderFactory.create_batch(3, company=buyer.company, placed_by=buyer)
    client.force_login(buyer)
    link = f"{reverse('orders:create')}?again={orders[0].number}"

    assert link in client.get(reverse("orders:detail", args=[orders[0].number])).content.decode()
    assert "?again=" not in client.get(reverse("orders:list")).content.decode()


def test_order_again_from_another_companys_order_is_a_404(client, buyer):
    other = OrderFactory(placed_by=BuyerFactory())
    client.force_login(buyer)

    response = client.get(reverse("orders:create"), {"again": other.number})

    assert response.status_code == 404
