"""Hostile input on the forms a person meets before they are logged in.

The permission matrix's rows reach these pages without a link opened (they say
so); here each form is fuzzed the way ``tests/test_hostile_input.py`` fuzzes the
others, but in a browser session that holds a working invitation link, a working
reset link, or a login waiting for its second factor. Never a 5xx; nothing set
by a request that was not right.

The lockout (django-axes) is on here, as in production: every failed attempt on
these forms is written to its records, whose columns are narrower than what a
request can carry (a 20,000-character address was once a 500 on the login page).
"""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.db import transaction
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import InvitationStatus
from accounts.services import invitation_send
from accounts.tokens import invitation_token
from companies.models import User
from tests.factories import PASSWORD, BuyerFactory, StaffFactory
from tests.test_hostile_input import EXAMPLES, hostile

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("axes_on")]

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
GOOD_PASSWORD = "a-new-secret-91"
LONG_EMAIL = "a" * 20_000 + "@example.com"


def posted(sent: dict, name: str) -> str:
    """The value a form reads for a field: the last one when it was repeated."""
    value = sent.get(name, "")
    return value[-1] if isinstance(value, list) else value


@pytest.fixture
def held_invitation(client, company):
    invitation = invitation_send(
        actor=StaffFactory(), email="ivy@example.com", full_name="Ivy", company_id=company.pk
    )
    opened = client.get(
        reverse("accounts:invitation", args=[invitation.pk, invitation_token(invitation)])
    )
    assert opened.status_code == 302
    return invitation


@FUZZ
@given(data=st.data())
def test_the_invitation_form_survives_anything(client, held_invitation, data):
    url = reverse("accounts:invitation_accept", args=[held_invitation.pk])
    base = {"full_name": "Ivy", "new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD}
    sent = data.draw(hostile(base, [], [str(held_invitation.pk)]), label="request")

    with transaction.atomic():
        response = client.post(url, sent)
        assert response.status_code < 500, sent
        held_invitation.refresh_from_db()
        if held_invitation.status == InvitationStatus.ACCEPTED:
            person = held_invitation.user
            person.refresh_from_db()
            assert person.check_password(posted(sent, "new_password1"))
            assert "\x00" not in person.full_name
        transaction.set_rollback(True)


@FUZZ
@given(data=st.data())
def test_the_reset_form_survives_anything(client, buyer, data):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    buyer.refresh_from_db()  # an example before may have changed it, and was rolled back
    uid = urlsafe_base64_encode(force_bytes(buyer.pk))
    opened = client.get(
        reverse(
            "accounts:password_reset_confirm",
            args=[uid, default_token_generator.make_token(buyer)],
        )
    )
    base = {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD}
    sent = data.draw(hostile(base, [], [uid]), label="request")

    with transaction.atomic():
        response = client.post(opened.url, sent)
        assert response.status_code < 500, sent
        stored = User.objects.get(pk=buyer.pk)
        assert stored.check_password(PASSWORD) or stored.check_password(
            posted(sent, "new_password1")
        )
        transaction.set_rollback(True)


@FUZZ
@given(data=st.data())
def test_the_second_factor_form_survives_anything(client, data):
    person = BuyerFactory()
    TOTPDevice.objects.create(user=person, name="app", confirmed=True)
    client.post(reverse("login"), {"username": person.email, "password": PASSWORD})
    sent = data.draw(hostile({"code": "123456"}, [], ["000000", "abcd-efgh-jkmn-pqrs"]))

    with transaction.atomic():
        response = client.post(reverse("accounts:login_code"), sent)
        assert response.status_code < 500, sent
        assert SESSION_KEY not in client.session
        transaction.set_rollback(True)


@FUZZ
@given(data=st.data())
def test_the_reset_request_survives_anything(client, data):
    sent = data.draw(
        hostile({"email": "someone@example.com"}, [], ["someone@example.com", LONG_EMAIL]),
        label="request",
    )

    with transaction.atomic():
        response = client.post(reverse("accounts:password_reset"), sent)
        assert response.status_code < 500, sent
        transaction.set_rollback(True)


@FUZZ
@given(data=st.data())
def test_the_login_form_survives_anything(client, buyer, data):
    base = {"username": buyer.email, "password": PASSWORD}
    logins = [buyer.email, buyer.email.upper(), LONG_EMAIL, " " + buyer.email]
    sent = data.draw(hostile(base, ["next"], logins), label="request")

    with transaction.atomic():
        response = client.post(reverse("login"), sent)
        assert response.status_code < 500, sent
        if SESSION_KEY in client.session:  # only the buyer, with their own password
            assert client.session[SESSION_KEY] == str(buyer.pk)
            assert posted(sent, "password") == PASSWORD
        names = AccessAttempt.objects.values_list("username", flat=True)
        assert all(len(name) <= 254 for name in names), sent
        transaction.set_rollback(True)
    client.logout()
