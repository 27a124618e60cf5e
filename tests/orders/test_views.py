from decimal import Decimal

import pytest
from django.urls import reverse

from orders.models import Order, OrderStatus
from tests.factories import BuyerFactory, OrderFactory, ProductFactory, place_order

pytestmark = pytest.mark.django_db


def lines_post(*rows, extra=None):
    data = {
        "lines-TOTAL_FORMS": str(max(len(rows), 1)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "100",
    }
    for i, (sku, qty) in enumerate(rows):
        data[f"lines-{i}-sku"] = sku
        data[f"lines-{i}-quantity"] = qty
    data.update(extra or {})
    return data


def test_a_buyer_places_an_order_of_several_lines(client, buyer, products):
    client.force_login(buyer)

    response = client.post(
        reverse("orders:create"),
        lines_post((products[0].sku, "2"), (products[1].sku.lower(), "1"), ("", "")),
    )

    order = Order.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("orders:detail", args=[order.number])
    assert order.total == Decimal("45.50")
    page = client.get(response.url)
    assert page.status_code == 200
    assert "$45.50" in page.content.decode()


def test_a_posted_price_or_total_is_ignored(client, buyer, products):
    client.force_login(buyer)

    client.post(
        reverse("orders:create"),
        lines_post(
            (products[0].sku, "2"),
            extra={"lines-0-unit_price": "0.01", "total": "0.01", "lines-0-line_total": "0.02"},
        ),
    )

    assert Order.objects.get().total == Decimal("20.00")


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("0", "Quantity must be a whole number from 1 to 100,000."),
        ("-3", "Quantity must be a whole number from 1 to 100,000."),
        ("1.5", "Enter a whole number"),
        ("lots", "Enter a whole number"),
        ("100001", "Quantity must be a whole number from 1 to 100,000."),
    ],
)
def test_a_bad_quantity_shows_a_form_error_and_saves_nothing(
    client, buyer, products, quantity, message
):
    client.force_login(buyer)

    response = client.post(reverse("orders:create"), lines_post((products[0].sku, quantity)))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Order.objects.exists()


def test_merged_lines_above_the_limit_are_refused(client, buyer, products):
    client.force_login(buyer)

    response = client.post(
        reverse("orders:create"), lines_post((products[0].sku, "60000"), (products[0].sku, "50000"))
    )

    assert response.status_code == 200
    assert "at most 100,000 in all" in response.content.decode()
    assert not Order.objects.exists()


def test_an_unknown_or_inactive_sku_shows_a_form_error(client, buyer, products):
    retired = ProductFactory(is_active=False)
    client.force_login(buyer)

    response = client.post(
        reverse("orders:create"),
        lines_post((products[0].sku, "1"), (retired.sku, "1"), ("XX-404", "2")),
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert f"{retired.sku} is no longer sold." in body
    assert "No product has the SKU XX-404." in body
    assert not Order.objects.exists()


def test_an_empty_order_shows_a_form_error(client, buyer):
    client.force_login(buyer)

    response = client.post(reverse("orders:create"), lines_post(("", "")))

    assert response.status_code == 200
    assert "Add at least one product" in response.content.decode()
    assert not Order.objects.exists()


def test_a_mangled_formset_is_a_form_error_not_a_crash(client, buyer):
    client.force_login(buyer)

    response = client.post(reverse("orders:create"), {"lines-TOTAL_FORMS": "many"})

    assert response.status_code == 200
    assert not Order.objects.exists()


def test_the_same_product_twice_is_merged(client, buyer, products):
    client.force_login(buyer)

    client.post(
        reverse("orders:create"), lines_post((products[0].sku, "2"), (products[0].sku, "3"))
    )

    line = Order.objects.get().lines.get()
    assert line.quantity == 5


def test_editing_through_the_page_changes_lines_and_total(client, buyer, products):
    order = place_order(buyer, (products[0], 1))
    client.force_login(buyer)

    response = client.post(
        reverse("orders:edit", args=[order.number]),
        lines_post((products[2].sku, "3"), extra={"version": str(order.version)}),
    )

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.total == Decimal("300.00")


def test_an_edit_from_a_stale_page_is_refused_with_a_message(client, buyer, products):
    order = place_order(buyer, (products[0], 1))
    client.force_login(buyer)

    response = client.post(
        reverse("orders:edit", args=[order.number]),
        lines_post((products[2].sku, "3"), extra={"version": "99"}),
        follow=True,
    )

    assert "changed while you were looking at it" in response.content.decode()
    order.refresh_from_db()
    assert order.total == Decimal("10.00")


def test_editing_a_cancelled_order_is_refused_with_a_message(client, buyer, products):
    order = place_order(buyer, (products[0], 1))
    client.force_login(buyer)
    client.post(reverse("orders:cancel", args=[order.number]), {"version": order.version})

    response = client.post(
        reverse("orders:edit", args=[order.number]),
        lines_post((products[2].sku, "3"), extra={"version": "2"}),
        follow=True,
    )

    assert "is cancelled and can no longer be changed" in response.content.decode()
    order.refresh_from_db()
    assert (order.status, order.total) == (OrderStatus.CANCELLED, Decimal("10.00"))


def test_cancel_needs_post_and_the_version(client, buyer, products):
    order = place_order(buyer, (products[0], 1))
    client.force_login(buyer)

    assert client.get(reverse("orders:cancel", args=[order.number])).status_code == 405
    client.post(reverse("orders:cancel", args=[order.number]), {"version": "x"})
    order.refresh_from_db()
    assert order.status == OrderStatus.APPROVED

    client.post(reverse("orders:cancel", args=[order.number]), {"version": order.version})
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED


def test_a_colleague_sees_my_order_but_may_not_change_it(client, buyer, products):
    order = place_order(buyer, (products[0], 1))
    colleague = BuyerFactory(company=buyer.company)
    client.force_login(colleague)

    assert client.get(reverse("orders:detail", args=[order.number])).status_code == 200
    assert client.get(reverse("orders:edit", args=[order.number])).status_code == 403
    response = client.post(
        reverse("orders:cancel", args=[order.number]), {"version": order.version}
    )

    assert response.status_code == 403
    order.refresh_from_db()
    assert order.status == OrderStatus.APPROVED


@pytest.mark.parametrize(
    ("url_name", "method"),
    [
        ("orders:detail", "get"),
        ("orders:edit", "get"),
        ("orders:edit", "post"),
        ("orders:cancel", "post"),
    ],
)
def test_another_companys_order_is_a_404_on_every_buyer_url(
    client, buyer, other_company_buyer, products, url_name, method
):
    order = place_order(buyer, (products[0], 1))
    client.force_login(other_company_buyer)

    response = getattr(client, method)(
        reverse(url_name, args=[order.number]),
        lines_post((products[1].sku, "5"), extra={"version": str(order.version)}),
    )

    assert response.status_code == 404
    order.refresh_from_db()
    assert (order.status, order.total, order.version) == (OrderStatus.APPROVED, Decimal("10.00"), 1)


def test_the_order_list_shows_only_my_companys_orders(client, buyer, other_company_buyer, products):
    mine = place_order(buyer, (products[0], 1))
    theirs = place_order(other_company_buyer, (products[1], 1))
    client.force_login(buyer)

    body = client.get(reverse("orders:list")).content.decode()

    assert mine.number in body
    assert theirs.number not in body


def test_an_unknown_order_number_is_a_404(client, buyer):
    client.force_login(buyer)
    assert client.get(reverse("orders:detail", args=["PO-999999"])).status_code == 404


def test_pages_need_a_login(client):
    for url in (reverse("orders:list"), reverse("orders:create"), reverse("catalog:list")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_site_admins_get_403_on_the_order_form(client, staff):
    client.force_login(staff)
    assert client.get(reverse("orders:create")).status_code == 403


@pytest.mark.parametrize("count", [3, 100])
def test_the_order_list_costs_the_same_queries_for_3_or_100_orders(
    client, buyer, django_assert_max_num_queries, count
):
    OrderFactory.create_batch(count, company=buyer.company, placed_by=buyer)
    client.force_login(buyer)

    # 7: one is the unread count of the navigation
    with django_assert_max_num_queries(7):
        response = client.get(reverse("orders:list"))

    assert response.status_code == 200
    assert response.content.decode().count('class="fw-semibold" href="/orders/PO-') == min(
        count, 25
    )


def test_the_order_list_pages_newest_first(client, buyer):
    orders = OrderFactory.create_batch(30, company=buyer.company, placed_by=buyer)
    client.force_login(buyer)

    first = client.get(reverse("orders:list")).content.decode()
    second = client.get(reverse("orders:list") + "?page=2").content.decode()

    assert orders[-1].number in first and orders[0].number not in first
    assert orders[0].number in second
    assert client.get(reverse("orders:list") + "?page=abc").status_code == 200


def test_the_catalog_searches_by_sku_or_name(client, buyer):
    ProductFactory(sku="CHR-1", name="Office chair")
    ProductFactory(sku="DSK-1", name="Standing desk")
    ProductFactory(sku="OLD-1", name="Old chair", is_active=False)
    client.force_login(buyer)

    by_name = client.get(reverse("catalog:list"), {"q": "chair"}).content.decode()
    by_sku = client.get(reverse("catalog:list"), {"q": "dsk"}).content.decode()

    assert (
        "Office chair" in by_name and "Standing desk" not in by_name and "Old chair" not in by_name
    )
    assert "Standing desk" in by_sku and "Office chair" not in by_sku
