"""Site admins in Django admin: adding a person invites them; invitations are sent again and
withdrawn there; the company administrator role is a field of the person."""

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.models import Invitation, InvitationStatus
from accounts.services import invitation_send
from companies.models import Company, User
from tests.accounts.conftest import link_in
from tests.factories import BuyerFactory, StaffFactory

pytestmark = pytest.mark.django_db


def add_person(client, company, **extra):
    data = {
        "email": "Nora@Example.com",
        "full_name": "Nora Newcomer",
        "job_title": "Buyer",
        "company": company.pk,
        **extra,
    }
    return client.post(reverse("admin:companies_user_add"), data)


def test_adding_a_person_sends_an_invitation_instead_of_asking_for_a_password(
    client, company, django_capture_on_commit_callbacks, mailoutbox
):
    site_admin = StaffFactory()
    client.force_login(site_admin)
    page = client.get(reverse("admin:companies_user_add")).content.decode()
    assert 'name="password1"' not in page

    with django_capture_on_commit_callbacks(execute=True):
        response = add_person(client, company, is_company_admin="on")

    person = User.objects.get(email="nora@example.com")
    assert response.status_code == 302
    assert response.url == reverse("admin:companies_user_change", args=[person.pk])
    assert person.is_company_admin and person.company == company
    assert not person.has_usable_password()
    invitation = Invitation.objects.get(user=person)
    assert invitation.invited_by == site_admin
    (message,) = mailoutbox
    assert link_in(message).startswith(f"/accounts/invitation/{invitation.pk}/")


def test_a_company_administrator_needs_a_company(client):
    client.force_login(StaffFactory())

    response = client.post(
        reverse("admin:companies_user_add"),
        {"email": "x@example.com", "full_name": "X", "is_company_admin": "on"},
    )

    assert response.status_code == 200
    assert "A company administrator belongs to a company" in response.content.decode()
    assert not User.objects.filter(email="x@example.com").exists()


def test_an_address_with_an_account_is_refused(client, company):
    BuyerFactory(email="nora@example.com")
    client.force_login(StaffFactory())

    response = add_person(client, company)

    assert response.status_code == 200
    assert User.objects.filter(email__iexact="nora@example.com").count() == 1
    assert not Invitation.objects.exists()


def test_a_site_admin_makes_a_contact_the_company_administrator(client):
    contact = BuyerFactory()
    client.force_login(StaffFactory())
    change = client.get(reverse("admin:companies_user_change", args=[contact.pk]))
    assert 'name="is_company_admin"' in change.content.decode()

    client.post(
        reverse("admin:companies_user_change", args=[contact.pk]),
        {
            "email": contact.email,
            "full_name": contact.full_name,
            "job_title": "",
            "company": contact.company_id,
            "is_active": "on",
            "is_company_admin": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )

    contact.refresh_from_db()
    assert contact.is_company_admin


def test_invitations_are_sent_again_and_withdrawn_from_their_list(client, company):
    site_admin = StaffFactory()
    invitation = invitation_send(
        actor=site_admin, email="n@example.com", full_name="Nina Newcomer", company_id=company.pk
    )
    client.force_login(site_admin)
    url = reverse("admin:accounts_invitation_changelist")
    assert "Nina Newcomer" in client.get(url).content.decode()
    assert (
        client.get(reverse("admin:accounts_invitation_change", args=[invitation.pk])).status_code
        == 200
    )

    client.post(url, {"action": "resend", "_selected_action": [invitation.pk]})
    invitation.refresh_from_db()
    assert (invitation.status, invitation.sent_count) == (InvitationStatus.PENDING, 2)

    client.post(url, {"action": "revoke", "_selected_action": [invitation.pk]})
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED
    assert not User.objects.get(pk=invitation.user_id).is_active


def test_invitations_are_made_by_adding_a_person_not_from_their_list(client):
    client.force_login(StaffFactory())
    assert client.get(reverse("admin:accounts_invitation_add")).status_code == 403


PROJECT_APPS = {"accounts", "approvals", "companies", "core", "orders", "notifications"}


@pytest.mark.parametrize(
    ("model", "module"), [(User, "accounts.admin"), (Company, "approvals.admin")]
)
def test_the_people_and_company_pages_are_each_one_class_composed_in_one_place(model, module):
    # a chain of pages across apps would depend on the order the apps are installed in
    page = type(admin.site._registry[model])
    ours = [cls for cls in page.__mro__ if cls.__module__.split(".")[0] in PROJECT_APPS]

    assert ours == [page]
    assert page.__module__ == module


def test_the_people_page_has_every_apps_part(admin_client):
    page = admin.site._registry[User]
    fields = [name for _title, options in page.fieldsets for name in options["fields"]]
    actions = admin_client.get(reverse("admin:companies_user_changelist")).content.decode()

    assert {"company", "is_company_admin", "monthly_limit", "is_staff"} <= set(fields)
    assert 'value="deactivate"' in actions  # routing again when people leave (approvals)
    assert 'value="turn_off_two_factor"' in actions  # accounts
