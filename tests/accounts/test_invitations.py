"""Invitations: a single-use link that expires, made only when the email is sent."""

from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, InvitationStatus
from accounts.notify import INVITATION
from accounts.services import (
    invitation_accept,
    invitation_renew,
    invitation_resend,
    invitation_revoke,
    invitation_send,
)
from accounts.tokens import invitation_token
from companies.models import User
from core.domain import InvalidInput, InvalidState, NotAllowed, StaleVersion
from notifications.models import Notification
from tests.accounts.conftest import link_in
from tests.factories import PASSWORD, BuyerFactory, StaffFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-secret-27"


def invite(actor, company, email="newcomer@example.com", **extra):
    return invitation_send(
        actor=actor, email=email, full_name="Nora Newcomer", company_id=company.pk, **extra
    )


def accept_through_the_link(client, path, *, name="Nora Newcomer", password=NEW_PASSWORD):
    opened = client.get(path)
    assert opened.status_code == 302, opened.content.decode()[:500]
    return client.post(
        opened.url,
        {"full_name": name, "new_password1": password, "new_password2": password},
    )


# --- sending ---------------------------------------------------------------------------


def test_a_site_admin_invites_a_contact_who_exists_without_a_password(
    company, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(StaffFactory(), company, email="Nora@Example.com")

    person = invitation.user
    assert (person.email, person.company, person.is_active) == (
        "nora@example.com",
        company,
        True,
    )
    assert not person.has_usable_password()
    assert invitation.status == InvitationStatus.PENDING
    assert invitation.expires_at - timezone.now() > timedelta(days=6, hours=23)
    (message,) = mailoutbox
    assert message.to == ["nora@example.com"]
    assert link_in(message).startswith(f"/accounts/invitation/{invitation.pk}/")


def test_the_database_never_holds_a_working_link(company, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(StaffFactory(), company)

    token = invitation_token(invitation)
    row = Notification.objects.get(kind=INVITATION)
    stored = " ".join(
        str(value)
        for value in [row.context, row.path, row.subject, row.reference, row.last_error]
        + list(Invitation.objects.filter(pk=invitation.pk).values_list().get())
    )
    assert token not in stored
    assert "/accounts/invitation/" not in stored


def test_a_company_administrator_invites_into_their_own_company_only(company, company_admin):
    with pytest.raises(NotAllowed):
        invite(company_admin, BuyerFactory().company)
    with pytest.raises(NotAllowed, match="Only site admins make company administrators"):
        invite(company_admin, company, company_admin=True)

    invitation = invite(company_admin, company)

    assert invitation.invited_by == company_admin
    assert not invitation.user.is_company_admin


@pytest.mark.parametrize("who", ["buyer", "bare_staff"])
def test_people_who_run_no_company_cannot_invite(company, who, buyer, bare_staff):
    actor = {"buyer": buyer, "bare_staff": bare_staff}[who]
    with pytest.raises(NotAllowed):
        invite(actor, company)
    assert not User.objects.filter(email="newcomer@example.com").exists()


def test_an_address_with_an_account_is_refused_whatever_its_case(company, company_admin):
    colleague = BuyerFactory(company=company, email="sam@example.com")

    with pytest.raises(InvalidInput, match="already one of your company's people") as refused:
        invite(company_admin, company, email="SAM@example.com")

    assert "email" in refused.value.errors
    assert User.objects.filter(email__iexact=colleague.email).count() == 1
    assert not Invitation.objects.exists()


# --- the link ---------------------------------------------------------------------------


def test_the_link_sets_a_password_logs_in_and_lands_on_the_dashboard(
    client, company, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(StaffFactory(), company)

    response = accept_through_the_link(client, link_in(mailoutbox[0]), name="Nora N. Newcomer")

    assert response.status_code == 302 and response.url == reverse("home")
    person = User.objects.get(pk=invitation.user_id)
    assert person.check_password(NEW_PASSWORD)
    assert person.full_name == "Nora N. Newcomer"
    assert client.session[SESSION_KEY] == str(person.pk)
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED
    assert "Welcome, Nora N. Newcomer" in client.get(reverse("home")).content.decode()


def test_the_token_leaves_the_address_bar_before_the_form(
    client, company, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(StaffFactory(), company)
    path = link_in(mailoutbox[0])

    opened = client.get(path)

    assert opened.url == reverse("accounts:invitation_accept", args=[invitation.pk])
    assert invitation_token(invitation) not in opened.url


def test_the_link_works_once(client, company, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        invite(StaffFactory(), company)
    path = link_in(mailoutbox[0])
    accept_through_the_link(client, path)
    client.logout()

    again = client.get(path)

    assert again.status_code == 200
    body = again.content.decode()
    assert 'data-problem="used"' in body
    assert reverse("accounts:password_reset") in body


def test_an_expired_link_says_so_and_sends_a_new_one_on_request(
    client, company, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(StaffFactory(), company)
    old = link_in(mailoutbox[0])
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())

    page = client.get(old)
    assert 'data-problem="expired"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        renewed = client.post(reverse("accounts:invitation_renew", args=[invitation.pk]))

    assert "We emailed a new link to newcomer@example.com" in renewed.content.decode()
    new = link_in(mailoutbox[-1])
    assert new != old
    assert 'data-problem="invalid"' in client.get(old).content.decode()
    assert accept_through_the_link(client, new).url == reverse("home")


def test_a_link_still_working_or_withdrawn_is_not_renewed(company):
    invitation = invite(StaffFactory(), company)
    token = invitation_token(invitation)

    with pytest.raises(InvalidState, match="still works"):
        invitation_renew(invitation_id=invitation.pk, token=token)
    with pytest.raises(InvalidState, match="not valid"):
        invitation_renew(invitation_id=invitation.pk, token="0" * 32)

    invitation_revoke(actor=StaffFactory(), user_id=invitation.user_id, seen_version=1)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    with pytest.raises(InvalidState, match="withdrawn"):
        invitation_renew(invitation_id=invitation.pk, token=token)


def test_a_tampered_or_unknown_link_is_not_valid(client, company):
    invitation = invite(StaffFactory(), company)
    token = invitation_token(invitation)
    wrong = ("1" if token[0] != "1" else "2") + token[1:]

    for path in (
        reverse("accounts:invitation", args=[invitation.pk, wrong]),
        reverse("accounts:invitation", args=[invitation.pk + 1, token]),
        reverse("accounts:invitation_accept", args=[invitation.pk]),  # nothing held
    ):
        response = client.get(path)
        assert response.status_code == 200
        assert 'data-problem="invalid"' in response.content.decode()


def test_sending_a_new_link_ends_the_earlier_ones(company, company_admin):
    invitation = invite(company_admin, company)
    old_token = invitation_token(invitation)

    resent = invitation_resend(
        actor=company_admin, user_id=invitation.user_id, seen_version=invitation.version
    )

    assert resent.pk == invitation.pk and resent.sent_count == 2
    with pytest.raises(InvalidState, match="not valid"):
        invitation_accept(
            invitation_id=invitation.pk, token=old_token, password=NEW_PASSWORD, full_name="N"
        )
    invitation_accept(
        invitation_id=invitation.pk,
        token=invitation_token(resent),
        password=NEW_PASSWORD,
        full_name="N",
    )


def test_a_new_link_from_a_page_out_of_date_is_refused(company, company_admin):
    invitation = invite(company_admin, company)
    invitation_resend(actor=company_admin, user_id=invitation.user_id, seen_version=1)

    with pytest.raises(StaleVersion):
        invitation_resend(actor=company_admin, user_id=invitation.user_id, seen_version=1)

    invitation.refresh_from_db()
    assert invitation.sent_count == 2


def test_withdrawing_ends_the_link_and_the_account(client, company, company_admin):
    invitation = invite(company_admin, company)
    token = invitation_token(invitation)

    invitation_revoke(actor=company_admin, user_id=invitation.user_id, seen_version=1)

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED
    assert not User.objects.get(pk=invitation.user_id).is_active
    page = client.get(reverse("accounts:invitation", args=[invitation.pk, token]))
    assert 'data-problem="withdrawn"' in page.content.decode()


def test_a_deactivated_persons_link_no_longer_works(company):
    invitation = invite(StaffFactory(), company)
    User.objects.filter(pk=invitation.user_id).update(is_active=False)

    with pytest.raises(InvalidState, match="withdrawn"):
        invitation_accept(
            invitation_id=invitation.pk,
            token=invitation_token(invitation),
            password=NEW_PASSWORD,
            full_name="N",
        )
    assert not User.objects.get(pk=invitation.user_id).has_usable_password()


def test_the_password_must_pass_the_portals_rules(client, company):
    invitation = invite(StaffFactory(), company)
    path = reverse("accounts:invitation", args=[invitation.pk, invitation_token(invitation)])

    response = accept_through_the_link(client, path, password="12345678")

    assert response.status_code == 200
    assert "This password is too common" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING
    assert SESSION_KEY not in client.session


def test_a_company_administrator_never_manages_another_companys_invitation(company_admin):
    elsewhere = invite(StaffFactory(), BuyerFactory().company)

    for service in (invitation_resend, invitation_revoke):
        with pytest.raises(NotAllowed):
            service(actor=company_admin, user_id=elsewhere.user_id, seen_version=1)

    elsewhere.refresh_from_db()
    assert (elsewhere.status, elsewhere.sent_count) == (InvitationStatus.PENDING, 1)


def test_inviting_by_the_form_twice_makes_one_person(client, company_admin):
    client.force_login(company_admin)
    form = client.get(reverse("accounts:invite")).context["form"]
    data = {
        "submission": form["submission"].value(),
        "full_name": "Nora Newcomer",
        "email": "nora@example.com",
        "job_title": "Buyer",
    }

    first = client.post(reverse("accounts:invite"), data)
    second = client.post(reverse("accounts:invite"), data)

    assert first.url == second.url == reverse("accounts:people")
    assert User.objects.filter(email="nora@example.com").count() == 1
    assert Invitation.objects.count() == 1


def test_a_person_who_logged_in_another_way_is_told_the_invitation_was_used(client, company):
    invitation = invite(StaffFactory(), company)
    person = invitation.user
    person.set_password(PASSWORD)
    person.save()
    Invitation.objects.filter(pk=invitation.pk).update(status=InvitationStatus.ACCEPTED)

    page = client.get(
        reverse("accounts:invitation", args=[invitation.pk, invitation_token(invitation)])
    )

    assert 'data-problem="used"' in page.content.decode()
