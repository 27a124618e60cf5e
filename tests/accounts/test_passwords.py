"""Forgotten passwords, changing one, and the lockout on every door to an account."""

from datetime import datetime, timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.test import Client
from django.urls import reverse

from accounts.notify import PASSWORD_RESET
from accounts.services import invitation_send
from accounts.tokens import invitation_token
from notifications.models import Notification
from tests.accounts.conftest import RESET_LINK, link_in
from tests.factories import PASSWORD, BuyerFactory, StaffFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-secret-27"
ADDRESS = "10.0.0.7"


def ask_for_reset(client, email: str, capture, address: str = ADDRESS):
    with capture(execute=True):
        return client.post(
            reverse("accounts:password_reset"), {"email": email}, REMOTE_ADDR=address
        )


def set_password_through(client, path: str, password: str = NEW_PASSWORD):
    opened = client.get(path)
    assert opened.status_code == 302, opened.content.decode()[:300]
    return client.post(opened.url, {"new_password1": password, "new_password2": password})


def test_the_same_answer_for_known_and_unknown_addresses(
    client, buyer, django_capture_on_commit_callbacks, mailoutbox
):
    known = ask_for_reset(client, buyer.email.upper(), django_capture_on_commit_callbacks)
    unknown = ask_for_reset(client, "nobody@example.com", django_capture_on_commit_callbacks)

    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url == reverse("accounts:password_reset_done")
    assert [m.to for m in mailoutbox] == [[buyer.email]]
    page = client.get(known.url).content.decode()
    assert "If an account uses the address you typed" in page


def test_a_reset_link_sets_a_new_password_once_and_ends_every_session(
    client, buyer, django_capture_on_commit_callbacks, mailoutbox
):
    elsewhere = Client()
    elsewhere.force_login(buyer)
    ask_for_reset(client, buyer.email, django_capture_on_commit_callbacks)
    path = link_in(mailoutbox[0], RESET_LINK)

    done = set_password_through(client, path)

    assert done.url == reverse("accounts:password_reset_complete")
    buyer.refresh_from_db()
    assert buyer.check_password(NEW_PASSWORD)
    assert SESSION_KEY not in client.session  # no login without the password (or a code)
    assert elsewhere.get(reverse("home")).status_code == 302  # logged out there
    again = client.get(path)
    assert again.status_code == 200
    assert 'id="reset-link-problem"' in again.content.decode()


def test_the_reset_email_is_through_the_outbox_with_no_link_stored(
    client, buyer, django_capture_on_commit_callbacks, mailoutbox
):
    ask_for_reset(client, buyer.email, django_capture_on_commit_callbacks)

    row = Notification.objects.get(kind=PASSWORD_RESET, recipient=buyer)
    path = link_in(mailoutbox[0], RESET_LINK)
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert token not in str(row.context) + row.path + row.subject
    assert row.status == "sent"
    assert "Choose which emails you get" not in mailoutbox[0].body


def test_a_reset_link_expires(
    client, buyer, settings, django_capture_on_commit_callbacks, mailoutbox, monkeypatch
):
    ask_for_reset(client, buyer.email, django_capture_on_commit_callbacks)
    path = link_in(mailoutbox[0], RESET_LINK)
    later = datetime.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: later)

    response = client.get(path)

    assert response.status_code == 200
    assert 'id="reset-link-problem"' in response.content.decode()
    buyer.refresh_from_db()
    assert buyer.check_password(PASSWORD)


def test_nobody_inactive_or_not_joined_yet_is_sent_a_reset_link(
    client, company, django_capture_on_commit_callbacks, mailoutbox
):
    gone = BuyerFactory(company=company, is_active=False)
    invited = invitation_send(
        actor=StaffFactory(), email="new@example.com", full_name="New", company_id=company.pk
    ).user
    mailoutbox.clear()

    ask_for_reset(client, gone.email, django_capture_on_commit_callbacks)
    ask_for_reset(client, invited.email, django_capture_on_commit_callbacks)

    assert mailoutbox == []


def test_a_site_admin_resets_too(client, django_capture_on_commit_callbacks, mailoutbox):
    staff = StaffFactory()

    ask_for_reset(client, staff.email, django_capture_on_commit_callbacks)

    row = Notification.objects.get(recipient=staff, kind=PASSWORD_RESET)
    assert row.company_id is None
    assert set_password_through(client, link_in(mailoutbox[0], RESET_LINK)).status_code == 302


def test_changing_the_password_keeps_this_session_and_ends_the_others(client, buyer):
    elsewhere = Client()
    elsewhere.force_login(buyer)
    client.force_login(buyer)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.url == reverse("accounts:account")
    assert client.get(reverse("home")).status_code == 200
    assert elsewhere.get(reverse("home")).status_code == 302
    buyer.refresh_from_db()
    assert buyer.check_password(NEW_PASSWORD)


def test_a_wrong_current_password_changes_nothing(client, buyer):
    client.force_login(buyer)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    buyer.refresh_from_db()
    assert buyer.check_password(PASSWORD)


def test_my_account_saves_my_name(client, buyer):
    client.force_login(buyer)

    response = client.post(reverse("accounts:account"), {"full_name": " Dana D. ", "job_title": ""})

    assert response.url == reverse("accounts:account")
    buyer.refresh_from_db()
    assert (buyer.full_name, buyer.job_title) == ("Dana D.", "")


def test_the_old_preferences_address_leads_to_the_account_page(client, buyer):
    client.force_login(buyer)

    response = client.get("/notifications/preferences/")

    assert response.status_code == 301
    assert response.url == reverse("accounts:preferences")


# --- the lockout on every door ------------------------------------------------------


def test_asking_for_resets_again_and_again_locks_that_account_at_that_address(
    client, buyer, axes_on, django_capture_on_commit_callbacks, mailoutbox
):
    for _ in range(axes_on.AXES_FAILURE_LIMIT):
        ask_for_reset(client, buyer.email, django_capture_on_commit_callbacks)
    sent = len(mailoutbox)

    locked = ask_for_reset(client, buyer.email, django_capture_on_commit_callbacks)
    elsewhere = ask_for_reset(client, buyer.email, django_capture_on_commit_callbacks, "10.0.0.8")

    assert locked.status_code == 429
    assert "Too many attempts for this account from your address" in locked.content.decode()
    assert elsewhere.status_code == 302
    assert len(mailoutbox) == sent + 1
    # the login is locked at that address too: one lockout for every door
    login = client.post(
        reverse("login"), {"username": buyer.email, "password": PASSWORD}, REMOTE_ADDR=ADDRESS
    )
    assert login.status_code == 429


def test_an_unknown_address_is_locked_the_same_way(
    client, axes_on, django_capture_on_commit_callbacks
):
    for _ in range(axes_on.AXES_FAILURE_LIMIT):
        ask_for_reset(client, "nobody@example.com", django_capture_on_commit_callbacks)

    assert (
        ask_for_reset(client, "nobody@example.com", django_capture_on_commit_callbacks).status_code
        == 429
    )


def test_guessing_reset_links_locks_the_account_at_that_address(client, buyer, axes_on):
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(buyer.pk))
    for i in range(axes_on.AXES_FAILURE_LIMIT):
        client.get(
            reverse("accounts:password_reset_confirm", args=[uid, f"abc-{i}"]), REMOTE_ADDR=ADDRESS
        )

    response = client.get(
        reverse("accounts:password_reset_confirm", args=[uid, "abc-x"]), REMOTE_ADDR=ADDRESS
    )

    assert response.status_code == 429
    assert AccessAttempt.objects.get(username=buyer.email).failures_since_start == 5


def test_guessing_invitation_links_locks_even_the_right_one(client, company, axes_on):
    invitation = invitation_send(
        actor=StaffFactory(), email="new@example.com", full_name="New", company_id=company.pk
    )
    for i in range(axes_on.AXES_FAILURE_LIMIT):
        client.get(
            reverse("accounts:invitation", args=[invitation.pk, f"{i:032x}"]), REMOTE_ADDR=ADDRESS
        )

    right = client.get(
        reverse("accounts:invitation", args=[invitation.pk, invitation_token(invitation)]),
        REMOTE_ADDR=ADDRESS,
    )

    assert right.status_code == 429
    assert 'id="invitation-locked-out"' in right.content.decode()


def test_a_new_password_from_a_link_clears_earlier_failures(
    client, buyer, axes_on, django_capture_on_commit_callbacks, mailoutbox
):
    for _ in range(axes_on.AXES_FAILURE_LIMIT - 2):
        client.post(
            reverse("login"), {"username": buyer.email, "password": "no"}, REMOTE_ADDR=ADDRESS
        )
    ask_for_reset(client, buyer.email, django_capture_on_commit_callbacks)
    path = link_in(mailoutbox[0], RESET_LINK)

    opened = client.get(path, REMOTE_ADDR=ADDRESS)
    client.post(
        opened.url,
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        REMOTE_ADDR=ADDRESS,
    )

    assert not AccessAttempt.objects.filter(username=buyer.email).exists()
