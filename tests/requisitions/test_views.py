"""The list pages: index, detail, add from the catalog, an order or a list, order a list."""

from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from orders.models import Order
from requisitions.models import RequisitionList
from tests.factories import BuyerFactory, ProductFactory, place_order
from tests.requisitions.factories import make_list

pytestmark = pytest.mark.django_db


def test_a_buyer_makes_a_list_and_a_second_post_of_the_form_lands_on_it(client, buyer):
    client.force_login(buyer)
    page = client.get(reverse("requisitions:create"))
    key = page.context["submission_form"]["submission"].value()
    data = {"name": "Kitchen", "is_shared": "on", "submission": str(key)}

    first = client.post(reverse("requisitions:create"), data)
    second = client.post(reverse("requisitions:create"), data)

    requisition = RequisitionList.objects.get()
    assert requisition.is_shared
    assert first.url == second.url == reverse("requisitions:detail", args=[requisition.pk])


def test_an_empty_name_is_a_form_error_and_nothing_is_made(client, buyer):
    client.force_login(buyer)

    response = client.post(reverse("requisitions:create"), {"name": "   "})

    assert response.status_code == 200
    assert (
        "This field is required." in response.content.decode()
        or "name" in response.context["form"].errors
    )
    assert not RequisitionList.objects.exists()


def test_ordering_a_list_opens_the_order_form_filled_in_without_withdrawn_products(client, buyer):
    chair = ProductFactory(sku="CHR-1", unit_price=Decimal("10.00"))
    old = ProductFactory(sku="OLD-1")
    requisition = make_list(buyer, (chair, 3), (old, 2))
    old.is_active = False
    old.save()
    client.force_login(buyer)

    response = client.get(reverse("requisitions:order", args=[requisition.pk]))

    assert response.status_code == 302
    url = urlparse(response.url)
    assert url.path == reverse("orders:create")
    assert parse_qs(url.query) == {"line": ["CHR-1*3"]}
    form = client.get(response.url)
    body = form.content.decode()
    assert 'value="CHR-1"' in body and 'value="3"' in body
    assert "No longer sold, so left out: OLD-1." in body
    assert "$30.00" in body


def test_the_checked_lines_of_a_colleagues_shared_list_are_ordered(client, buyer, products):
    shared = make_list(buyer, (products[0], 3), (products[1], 2), shared=True)
    colleague = BuyerFactory(company=buyer.company)
    second = shared.lines.get(product=products[1])
    client.force_login(colleague)

    response = client.get(
        reverse("requisitions:order", args=[shared.pk]), {"line": [str(second.pk), "x", "-1"]}
    )

    assert parse_qs(urlparse(response.url).query) == {"line": [f"{products[1].sku}*2"]}


def test_a_private_list_of_a_colleague_or_another_company_is_not_found(client, buyer):
    private = make_list(buyer, name="Private")
    for other in (BuyerFactory(company=buyer.company), BuyerFactory()):
        client.force_login(other)
        for name in ("detail", "edit", "order"):
            assert client.get(reverse(f"requisitions:{name}", args=[private.pk])).status_code == 404
        assert (
            client.post(
                reverse("requisitions:delete", args=[private.pk]), {"version": 1}
            ).status_code
            == 404
        )
    assert RequisitionList.objects.filter(pk=private.pk).exists()


def test_adding_a_catalog_product_to_a_new_list(client, buyer, products):
    client.force_login(buyer)

    page = client.get(reverse("requisitions:add"), {"sku": products[0].sku})
    response = client.post(
        reverse("requisitions:add"), {"sku": products[0].sku, "quantity": "4", "new_name": "Desk"}
    )

    assert page.status_code == 200
    requisition = RequisitionList.objects.get(name="Desk")
    assert response.url == reverse("requisitions:detail", args=[requisition.pk])
    assert list(requisition.lines.values_list("quantity", flat=True)) == [4]


def test_saving_an_order_as_a_list_and_adding_one_list_to_another(client, buyer, products):
    order = place_order(buyer, (products[0], 2), (products[1], 1))
    target = make_list(buyer, (products[0], 1), name="Target")
    client.force_login(buyer)

    client.post(reverse("requisitions:add"), {"order": order.number, "new_name": "From order"})
    source = RequisitionList.objects.get(name="From order")
    client.post(reverse("requisitions:add"), {"from_list": source.pk, "target": target.pk})

    assert dict(target.lines.values_list("product_id", "quantity")) == {
        products[0].pk: 3,
        products[1].pk: 1,
    }


def test_adding_to_somebody_elses_list_is_refused_and_changes_nothing(client, buyer, products):
    theirs = make_list(BuyerFactory(), name="Theirs")
    colleagues_shared = make_list(BuyerFactory(company=buyer.company), name="Shared", shared=True)
    client.force_login(buyer)

    stranger = client.post(
        reverse("requisitions:add"), {"sku": products[0].sku, "target": theirs.pk}
    )
    colleague = client.post(
        reverse("requisitions:add"), {"sku": products[0].sku, "target": colleagues_shared.pk}
    )

    assert (stranger.status_code, colleague.status_code) == (404, 403)
    assert not theirs.lines.exists() and not colleagues_shared.lines.exists()


def test_another_companys_order_cannot_be_saved_as_a_list(client, buyer, products):
    order = place_order(BuyerFactory(), (products[0], 2))
    client.force_login(buyer)

    response = client.get(reverse("requisitions:add"), {"order": order.number})

    assert response.status_code == 404


def test_the_owner_saves_quantities_and_takes_a_line_off(client, buyer, products):
    requisition = make_list(buyer, (products[0], 2), (products[1], 1))
    first, second = requisition.lines.order_by("id")
    client.force_login(buyer)

    client.post(
        reverse("requisitions:lines", args=[requisition.pk]),
        {
            "version": 1,
            f"qty-{first.pk}": "9",
            f"qty-{second.pk}": "1",
            f"remove-{second.pk}": "on",
        },
    )

    assert list(requisition.lines.values_list("quantity", flat=True)) == [9]


def test_a_bad_quantity_is_told_and_nothing_saved(client, buyer, products):
    requisition = make_list(buyer, (products[0], 2))
    line = requisition.lines.get()
    client.force_login(buyer)

    response = client.post(
        reverse("requisitions:lines", args=[requisition.pk]),
        {"version": 1, f"qty-{line.pk}": "0"},
        follow=True,
    )

    assert "Quantity must be a whole number from 1 to 100,000." in response.content.decode()
    assert requisition.lines.get().quantity == 2


@pytest.mark.parametrize("size", [2, 20])
def test_the_list_pages_take_a_constant_number_of_queries(
    client, buyer, size, django_assert_max_num_queries
):
    many = [ProductFactory() for _ in range(size)]
    for n in range(size):
        make_list(buyer, *[(p, 1) for p in many], name=f"List {n}", shared=n % 2 == 0)
    make_list(BuyerFactory(company=buyer.company), (many[0], 1), name="Colleague's", shared=True)
    requisition = RequisitionList.objects.filter(owner=buyer).first()
    client.force_login(buyer)

    with django_assert_max_num_queries(14):
        assert client.get(reverse("requisitions:list")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("requisitions:detail", args=[requisition.pk])).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("requisitions:order", args=[requisition.pk])).status_code == 302


def test_ordering_a_twenty_line_list_and_placing_it(client, buyer):
    many = [ProductFactory(unit_price=Decimal("1.00")) for _ in range(20)]
    requisition = make_list(buyer, *[(p, 2) for p in many])
    client.force_login(buyer)

    form = client.get(client.get(reverse("requisitions:order", args=[requisition.pk])).url)
    data = {"lines-TOTAL_FORMS": "20", "lines-INITIAL_FORMS": "0", "action": "order"}
    for i, product in enumerate(many):
        data[f"lines-{i}-sku"] = product.sku
        data[f"lines-{i}-quantity"] = "2"
    response = client.post(reverse("orders:create"), data)

    assert form.status_code == 200
    assert response.status_code == 302
    assert Order.objects.get().total == Decimal("40.00")


def test_an_unknown_product_makes_no_empty_list(client, buyer):
    client.force_login(buyer)

    response = client.post(reverse("requisitions:add"), {"sku": "NOPE-1", "new_name": "Empty"})

    assert response.status_code == 200
    assert "Nothing here can be added to a list." in response.content.decode()
    assert not RequisitionList.objects.exists()
