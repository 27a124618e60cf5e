"""The order header on the order form and the order page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.models import Order
from tests.factories import (
    BuyerFactory,
    CostCentreFactory,
    DeliveryAddressFactory,
    place_order,
)
from tests.orders.test_views import lines_post

pytestmark = pytest.mark.django_db


def header_post(**fields):
    return {f"header-{name}": value for name, value in fields.items()}


def test_the_order_form_preselects_the_default_address_and_lists_cost_centres(client, buyer):
    DeliveryAddressFactory(company=buyer.company, label="Annex")
    default = DeliveryAddressFactory(company=buyer.company, label="Main", is_default=True)
    CostCentreFactory(company=buyer.company, code="IT", name="Information technology")
    client.force_login(buyer)

    html = client.get(reverse("orders:create")).content.decode()

    assert f'<option value="{default.pk}" selected>Main</option>' in html
    assert '<option value="IT">IT – Information technology</option>' in html
    assert 'id="approval-preview"' in html


def test_a_buyer_places_an_order_with_its_header_and_sees_it(client, buyer, products):
    DeliveryAddressFactory(company=buyer.company, is_default=True)
    second = DeliveryAddressFactory(company=buyer.company, label="Depot", address="1 Quay")
    when = timezone.localdate() + timedelta(days=10)
    client.force_login(buyer)

    response = client.post(
        reverse("orders:create"),
        lines_post(
            (products[0].sku, "2"),
            extra=header_post(
                po_reference="ACME-PO-1",
                delivery_address=str(second.pk),
                delivery_date=when.isoformat(),
                cost_centre="Marketing",
                note_to_seller="Gate 3",
            ),
        ),
    )

    order = Order.objects.get()
    assert response.status_code == 302
    assert (order.po_reference, order.delivery_address_id) == ("ACME-PO-1", second.pk)
    page = client.get(response.url).content.decode()
    for text in ("ACME-PO-1", "Depot<br>1 Quay", "Marketing", "Gate 3"):
        assert text in page


def test_a_duplicate_po_reference_is_a_form_error_linking_to_the_order_that_has_it(
    client, buyer, products
):
    first = place_order(buyer, (products[0], 1))
    Order.objects.filter(pk=first.pk).update(po_reference="PO-9")
    client.force_login(buyer)

    response = client.post(
        reverse("orders:create"),
        lines_post((products[0].sku, "1"), extra=header_post(po_reference="PO-9")),
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert f"Your PO reference PO-9 is already on order {first.number}." in html
    assert f'href="{reverse("orders:detail", args=[first.number])}"' in html
    assert Order.objects.count() == 1


def test_another_companys_address_posted_is_a_404_and_places_nothing(
    client, buyer, other_company_buyer, products
):
    theirs = DeliveryAddressFactory(company=other_company_buyer.company)
    client.force_login(buyer)

    response = client.post(
        reverse("orders:create"),
        lines_post((products[0].sku, "1"), extra=header_post(delivery_address=str(theirs.pk))),
    )

    assert response.status_code == 404
    assert not Order.objects.exists()


@pytest.mark.parametrize("value", ["yesterday", "1999-01-01", "99999-01-01"])
def test_a_bad_or_past_delivery_date_is_a_form_error(client, buyer, products, value):
    client.force_login(buyer)

    response = client.post(
        reverse("orders:create"),
        lines_post((products[0].sku, "1"), extra=header_post(delivery_date=value)),
    )

    assert response.status_code == 200
    assert 'id="id_header-delivery_date"' in response.content.decode()
    assert "is-invalid" in response.content.decode()
    assert not Order.objects.exists()


def test_editing_the_header_through_the_page_is_in_the_history(client, buyer, products):
    order = place_order(buyer, (products[0], 1))
    client.force_login(buyer)

    client.post(
        reverse("orders:edit", args=[order.number]),
        lines_post(
            (products[0].sku, "1"),
            extra={"version": order.version, **header_post(po_reference="NEW-7")},
        ),
    )

    page = client.get(reverse("orders:detail", args=[order.number])).content.decode()
    assert "PO reference: – → NEW-7" in page


@pytest.mark.parametrize("count", [1, 8])
def test_the_order_form_and_page_cost_the_same_queries_for_few_or_many_addresses(
    client, buyer, products, django_assert_max_num_queries, count
):
    for i in range(count):
        DeliveryAddressFactory(company=buyer.company, is_default=i == 0)
        CostCentreFactory(company=buyer.company)
    order = place_order(buyer, (products[0], 1))
    client.force_login(buyer)

    with django_assert_max_num_queries(12):
        assert client.get(reverse("orders:create")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("orders:detail", args=[order.number])).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("orders:edit", args=[order.number])).status_code == 200


def test_a_colleague_sees_the_header_on_the_order_page(client, buyer, products):
    DeliveryAddressFactory(company=buyer.company, is_default=True, label="Main")
    order = place_order(buyer, (products[0], 1))
    client.force_login(BuyerFactory(company=buyer.company))

    page = client.get(reverse("orders:detail", args=[order.number])).content.decode()

    assert 'id="order-header-details"' in page and "Main" in page
