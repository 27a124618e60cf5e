"""Site admins are made by the "Site admins" group, and only a superuser hands out roles."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from companies.models import User
from companies.roles import SITE_ADMIN_PERMISSIONS, SITE_ADMINS_GROUP
from tests.factories import BuyerFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_migrating_creates_the_site_admins_group_with_its_permissions():
    group = Group.objects.get(name=SITE_ADMINS_GROUP)
    granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
    assert granted == set(SITE_ADMIN_PERMISSIONS)


def test_the_demo_site_admin_is_one_by_the_group_not_by_being_a_superuser():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    admin = User.objects.get(email="admin@portal.example")
    assert admin.is_staff and not admin.is_superuser
    assert admin.groups.filter(name=SITE_ADMINS_GROUP).exists()
    assert admin.has_perm("orders.oversee_orders") and admin.has_perm("quotations.use_quote_desk")


def _change_form(user: User, **changes) -> dict:
    data = {
        "email": user.email,
        "full_name": user.full_name,
        "job_title": user.job_title,
        "company": user.company_id or "",
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_site_admin_edits_a_contact_but_cannot_make_anyone_staff(client):
    site_admin, contact = StaffFactory(), BuyerFactory()
    client.force_login(site_admin)

    response = client.post(
        reverse("admin:companies_user_change", args=[contact.pk]),
        _change_form(contact, full_name="Renamed", is_staff="on", is_superuser="on"),
    )

    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.full_name == "Renamed"
    assert not contact.is_staff and not contact.is_superuser


def test_a_site_admin_cannot_change_another_staff_account(client):
    site_admin, other = StaffFactory(), StaffFactory()
    client.force_login(site_admin)

    response = client.post(
        reverse("admin:companies_user_change", args=[other.pk]),
        _change_form(other, full_name="Taken over"),
    )

    assert response.status_code == 403
    other.refresh_from_db()
    assert other.full_name != "Taken over"


def test_a_superuser_grants_staff(admin_client):
    contact = BuyerFactory(company=None)

    admin_client.post(
        reverse("admin:companies_user_change", args=[contact.pk]),
        _change_form(contact, is_staff="on"),
    )

    contact.refresh_from_db()
    assert contact.is_staff
