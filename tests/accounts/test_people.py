"""A company administrator runs the company's people: never another company's, nor staff."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Invitation, InvitationStatus
from accounts.services import invitation_send, person_deactivate, person_reactivate
from approvals.models import StepStatus
from companies.models import User
from core.domain import InvalidState, NotAllowed
from orders.models import OrderStatus
from tests.approvals.factories import source_example
from tests.factories import BuyerFactory, StaffFactory

pytestmark = pytest.mark.django_db

PERSON_URLS = ("accounts:deactivate", "accounts:reactivate", "accounts:resend", "accounts:revoke")


def test_the_people_page_lists_the_company_and_nobody_else(client, company, company_admin):
    colleague = BuyerFactory(company=company, full_name="Cleo Colleague")
    stranger = BuyerFactory(full_name="Stan Stranger")
    StaffFactory(full_name="Sam Seller")
    client.force_login(company_admin)

    page = client.get(reverse("accounts:people")).content.decode()

    assert "Cleo Colleague" in page and colleague.email in page
    assert "Stan Stranger" not in page and stranger.email not in page
    assert "Sam Seller" not in page


@pytest.mark.parametrize("name", PERSON_URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_companys_person_or_a_site_admin_is_not_found(client, company_admin, name, method):
    stranger = BuyerFactory()
    staff = StaffFactory()
    client.force_login(company_admin)

    for person in (stranger, staff):
        response = getattr(client, method)(reverse(name, args=[person.pk]), {"version": 1})
        assert response.status_code in (404, 405)
        if method == "post":
            assert response.status_code == 404
        person.refresh_from_db()
        assert person.is_active


@pytest.mark.parametrize("name", ["accounts:people", "accounts:invite"])
def test_people_who_are_not_administrators_are_refused(client, buyer, staff, name):
    for person in (buyer, staff):
        client.force_login(person)
        assert client.get(reverse(name)).status_code == 403


def test_deactivating_an_approver_routes_their_waiting_orders_again(client):
    example = source_example()
    admin = BuyerFactory(company=example.company, is_company_admin=True)
    order = example.place("2500.00")  # waits for approver 1
    client.force_login(admin)
    confirm = client.get(reverse("accounts:deactivate", args=[example.approver1.pk]))
    assert "1 order waits for their approval" in confirm.content.decode()

    response = client.post(reverse("accounts:deactivate", args=[example.approver1.pk]))

    assert response.url == reverse("accounts:people")
    example.approver1.refresh_from_db()
    assert not example.approver1.is_active
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_APPROVAL
    step = order.approval_steps.get(status=StepStatus.OPEN)
    assert list(step.approvers.all()) == [example.approver2]  # the next tier up
    page = client.get(reverse("accounts:people")).content.decode()
    assert f"waiting order was routed again: {order.number}" in page


def test_a_deactivated_person_is_logged_out_everywhere(company, company_admin):
    colleague = BuyerFactory(company=company)
    browser = Client()
    browser.force_login(colleague)

    person_deactivate(actor=company_admin, user_id=colleague.pk)

    assert browser.get(reverse("home")).url.startswith(reverse("login"))


def test_nobody_deactivates_themselves(client, company_admin):
    client.force_login(company_admin)

    page = client.get(reverse("accounts:deactivate", args=[company_admin.pk]))
    posted = client.post(reverse("accounts:deactivate", args=[company_admin.pk]))

    assert page.status_code == posted.status_code == 403
    company_admin.refresh_from_db()
    assert company_admin.is_active


def test_another_administrator_may_be_deactivated_while_one_remains(company, company_admin):
    other = BuyerFactory(company=company, is_company_admin=True)

    person_deactivate(actor=company_admin, user_id=other.pk)

    other.refresh_from_db()
    assert not other.is_active
    with pytest.raises(NotAllowed):  # the one left is acting: never themselves
        person_deactivate(actor=company_admin, user_id=company_admin.pk)


def test_the_last_administrator_is_never_deactivated(company, company_admin):
    # a second administrator whom a site admin deactivated acts from a stale session
    ghost = BuyerFactory(company=company, is_company_admin=True, is_active=False)

    with pytest.raises(NotAllowed):
        person_deactivate(actor=ghost, user_id=company_admin.pk)

    company_admin.refresh_from_db()
    assert company_admin.is_active


def test_deactivating_an_invited_person_withdraws_the_invitation(company, company_admin):
    invitation = invitation_send(
        actor=company_admin, email="n@example.com", full_name="N", company_id=company.pk
    )

    person_deactivate(actor=company_admin, user_id=invitation.user_id)

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED


def test_reactivating_an_approver_gives_back_their_tier(company):
    example = source_example()
    admin = BuyerFactory(company=example.company, is_company_admin=True)
    person_deactivate(actor=admin, user_id=example.approver1.pk)
    order = example.place("2500.00")  # goes to approver 2 while approver 1 is away
    assert list(order.approval_steps.get(status=StepStatus.OPEN).approvers.all()) == [
        example.approver2
    ]

    person, invitation, rerouted = person_reactivate(actor=admin, user_id=example.approver1.pk)

    assert person.is_active and invitation is None
    assert [o.number for o in rerouted] == [order.number]
    step = order.approval_steps.get(status=StepStatus.OPEN)
    assert list(step.approvers.all()) == [example.approver1]


def test_reactivating_somebody_who_never_joined_sends_a_new_invitation(company, company_admin):
    first = invitation_send(
        actor=company_admin, email="n@example.com", full_name="N", company_id=company.pk
    )
    person_deactivate(actor=company_admin, user_id=first.user_id)

    _person, invitation, _rerouted = person_reactivate(actor=company_admin, user_id=first.user_id)

    assert invitation is not None and invitation.pk != first.pk
    assert invitation.status == InvitationStatus.PENDING
    assert Invitation.objects.filter(user_id=first.user_id).count() == 2


def test_reactivating_an_active_person_is_refused(company, company_admin):
    colleague = BuyerFactory(company=company)
    with pytest.raises(InvalidState):
        person_reactivate(actor=company_admin, user_id=colleague.pk)


def test_a_deactivated_administrator_can_do_nothing(company, company_admin):
    colleague = BuyerFactory(company=company)
    User.objects.filter(pk=company_admin.pk).update(is_active=False)
    company_admin.refresh_from_db()

    with pytest.raises(NotAllowed):
        person_deactivate(actor=company_admin, user_id=colleague.pk)
    colleague.refresh_from_db()
    assert colleague.is_active


def test_the_approval_tiers_are_shown_read_only(client):
    example = source_example()
    admin = BuyerFactory(company=example.company, is_company_admin=True)
    client.force_login(admin)

    page = client.get(reverse("accounts:people")).content.decode()

    assert 'id="tiers"' in page and 'id="tier-preview"' in page
    assert example.approver3.full_name in page
    assert "$5,000.00" in page
    assert "<form" not in page.split('id="approval-setup"')[1]


@pytest.mark.parametrize("size", [3, 30])
def test_the_people_page_costs_the_same_queries_at_any_size(
    client, company, company_admin, size, django_assert_max_num_queries
):
    for i in range(size):
        person = BuyerFactory(company=company, is_active=i % 3 != 0)
        if i % 5 == 0:
            Invitation.objects.create(user=person, nonce="x", expires_at=person.date_joined)
    client.force_login(company_admin)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("accounts:people"))

    assert response.status_code == 200


@pytest.mark.parametrize("size", [1, 20])
def test_the_deactivate_page_costs_the_same_queries_at_any_size(
    client, size, django_assert_max_num_queries
):
    example = source_example()
    admin = BuyerFactory(company=example.company, is_company_admin=True)
    for _ in range(size):
        example.place("2500.00")
    client.force_login(admin)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("accounts:deactivate", args=[example.approver1.pk]))

    assert f"{size} order" in response.content.decode()


def test_a_company_of_a_thousand_is_paged_and_found_by_name(client, company, company_admin):
    from accounts.selectors import PEOPLE_PER_PAGE

    BuyerFactory.create_batch(PEOPLE_PER_PAGE + 5, company=company)
    BuyerFactory(company=company, full_name="Zed Zimmermann")
    BuyerFactory(full_name="Zed Zimmermann of elsewhere", email="zed@elsewhere.example")
    client.force_login(company_admin)

    first = client.get(reverse("accounts:people"))
    found = client.get(reverse("accounts:people"), {"q": "zimmer"})
    nobody = client.get(reverse("accounts:people"), {"q": "<nobody>"})

    assert len(first.context["people"]) == PEOPLE_PER_PAGE and first.context["people"].has_next
    assert "page=2" in first.content.decode()
    assert [p.user.full_name for p in found.context["people"]] == ["Zed Zimmermann"]
    assert "Nobody of your company matches “&lt;nobody&gt;”" in nobody.content.decode()
