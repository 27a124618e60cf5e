"""Login throttling: a handful of wrong passwords locks the account at that address."""

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.test import Client
from django.urls import reverse

from accounts import throttle
from tests.factories import PASSWORD, BuyerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    return settings


def _login(client, email: str, password: str, address: str = "10.0.0.1"):
    return client.post(
        reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=address
    )


def test_after_five_wrong_passwords_even_the_right_one_is_refused_with_when_to_retry(
    client, axes_on
):
    buyer = BuyerFactory()
    for _ in range(axes_on.AXES_FAILURE_LIMIT - 1):
        assert _login(client, buyer.email, "wrong").status_code == 200

    locked = _login(client, buyer.email, "wrong")
    right = _login(client, buyer.email, PASSWORD)

    for response in (locked, right):
        assert response.status_code == 429
        body = response.content.decode()
        assert 'id="login-locked-out"' in body
        assert "Try again in 15 minutes" in body
    assert "_auth_user_id" not in client.session


def test_the_lockout_counts_the_account_typed_in_any_case(client, axes_on):
    buyer = BuyerFactory()
    for i in range(axes_on.AXES_FAILURE_LIMIT):
        email = buyer.email.upper() if i % 2 else buyer.email
        _login(client, email, "wrong")

    assert _login(client, buyer.email, PASSWORD).status_code == 429


def test_the_lockout_holds_for_that_account_at_that_address_only(client, axes_on):
    buyer, colleague = BuyerFactory(), BuyerFactory()
    for _ in range(axes_on.AXES_FAILURE_LIMIT):
        _login(client, buyer.email, "wrong")

    # the same person from another address, and a colleague from the same one, get in
    assert _login(client, buyer.email, PASSWORD, address="10.0.0.2").status_code == 302
    client.logout()
    assert _login(client, colleague.email, PASSWORD).status_code == 302


def test_a_site_admin_unlocks_an_account_from_django_admin(client, staff, axes_on):
    buyer = BuyerFactory()
    for _ in range(axes_on.AXES_FAILURE_LIMIT):
        _login(client, buyer.email, "wrong")
    attempt = AccessAttempt.objects.get(username=buyer.email)
    admin = Client()
    admin.force_login(staff)  # the group's permissions, not a superuser's

    changelist = admin.get(reverse("admin:axes_accessattempt_changelist"))
    assert buyer.email in changelist.content.decode()
    admin.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})

    assert not AccessAttempt.objects.exists()
    assert _login(client, buyer.email, PASSWORD).status_code == 302


def test_a_successful_login_clears_earlier_failures(client, axes_on):
    buyer = BuyerFactory()
    for _ in range(axes_on.AXES_FAILURE_LIMIT - 1):
        _login(client, buyer.email, "wrong")
    assert _login(client, buyer.email, PASSWORD).status_code == 302
    client.logout()

    for _ in range(axes_on.AXES_FAILURE_LIMIT - 1):
        _login(client, buyer.email, "wrong")
    assert _login(client, buyer.email, PASSWORD).status_code == 302


LONG_EMAIL = "a" * 20_000 + "@example.com"


def test_a_20000_character_email_gets_the_login_page_saying_why_and_counts_nothing(client, axes_on):
    response = _login(client, LONG_EMAIL, "anything")

    assert response.status_code == 200
    body = response.content.decode()
    assert "An email address has at most 254 characters; this one has 20,012." in body
    assert 'id="login-locked-out"' not in body
    assert not AccessAttempt.objects.exists()
    assert not AccessFailureLog.objects.exists()
    assert "_auth_user_id" not in client.session


def test_an_address_of_254_characters_still_reaches_the_password_check(client, axes_on):
    longest = "a" * 64 + "@" + "b" * 185 + ".com"
    assert len(longest) == 254

    response = _login(client, longest, "wrong")

    assert response.status_code == 200
    assert "Please enter a correct" in response.content.decode()
    assert AccessAttempt.objects.get().username == longest


def test_the_lockout_never_keeps_more_of_a_login_than_its_column_holds(rf, axes_on):
    # every door counts through the same name: a link's or a code's as well as the form's
    request = rf.post("/accounts/password/reset/", {"email": LONG_EMAIL})

    throttle.failed(request, LONG_EMAIL)

    stored = AccessAttempt.objects.get().username
    assert stored == LONG_EMAIL[:255]
    assert throttle.locked(request, LONG_EMAIL) is False
