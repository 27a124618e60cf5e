"""Site admins' actions in Django admin: they work, and only with the right permission."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from companies.models import User
from orders.models import OrderStatus
from tests.factories import (
    BareStaffFactory,
    BuyerFactory,
    ProductFactory,
    StaffFactory,
    place_order,
)

pytestmark = pytest.mark.django_db


def staff_with(*codenames: str) -> User:
    staff = BareStaffFactory()
    staff.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return staff


def test_a_site_admin_marks_approved_orders_fulfilled(site_admin_client):
    order = place_order(BuyerFactory(), (ProductFactory(), 2))

    response = site_admin_client.post(
        reverse("admin:orders_order_changelist"),
        {"action": "mark_fulfilled", "_selected_action": [order.pk]},
    )

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.FULFILLED
    assert order.events.last().kind == "fulfilled"


def test_staff_who_may_only_view_orders_cannot_fulfil_them(client):
    order = place_order(BuyerFactory(), (ProductFactory(), 2))
    client.force_login(staff_with("view_order"))

    response = client.post(
        reverse("admin:orders_order_changelist"),
        {"action": "mark_fulfilled", "_selected_action": [order.pk]},
    )

    assert response.status_code in (200, 302)
    order.refresh_from_db()
    assert order.status == OrderStatus.APPROVED


def test_staff_who_may_only_view_users_cannot_deactivate_them(client):
    buyer = BuyerFactory()
    client.force_login(staff_with("view_user"))

    client.post(
        reverse("admin:companies_user_changelist"),
        {"action": "deactivate", "_selected_action": [buyer.pk]},
    )

    buyer.refresh_from_db()
    assert buyer.is_active


def test_deactivating_spares_superusers_and_yourself(admin_client, admin_user):
    buyer, other_admin = BuyerFactory(), StaffFactory(is_superuser=True)

    admin_client.post(
        reverse("admin:companies_user_changelist"),
        {"action": "deactivate", "_selected_action": [buyer.pk, other_admin.pk, admin_user.pk]},
    )

    buyer.refresh_from_db(), other_admin.refresh_from_db(), admin_user.refresh_from_db()
    assert (buyer.is_active, other_admin.is_active, admin_user.is_active) == (False, True, True)


def test_an_order_worth_more_than_its_total_column_holds_is_a_form_error(client, buyer):
    product = ProductFactory(unit_price=Decimal("200000.00"))
    client.force_login(buyer)

    response = client.post(
        reverse("orders:create"),
        {
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-sku": product.sku,
            "lines-0-quantity": "100000",
        },
    )

    assert response.status_code == 200
    assert "An order can be worth at most" in response.content.decode()
    assert not buyer.orders_placed.exists()


@pytest.mark.parametrize("path", ["/orders/%00/", "/quotes/%00/", "/approvals/orders/%00/"])
def test_a_stray_byte_in_a_number_is_a_404(client, buyer, path):
    client.force_login(buyer)

    assert client.get(path).status_code == 404
