"""Two-factor: an authenticator app and recovery codes; required for site admins in production."""

import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import RecoveryCode
from accounts.services import two_factor_disable, two_factor_enable
from accounts.views.two_factor import SETUP_SECRET
from core.domain import InvalidInput, NotAllowed
from tests.factories import PASSWORD, BuyerFactory, StaffFactory

pytestmark = pytest.mark.django_db


def code_for(key_hex: str, offset: int = 0) -> str:
    totp = TOTP(bytes.fromhex(key_hex))
    totp.drift = offset
    return f"{totp.token():06d}"


def turn_on(client, user) -> tuple[str, list[str]]:
    """Set two-factor up through the pages, as the person would; the key and the codes."""
    client.force_login(user)
    client.get(reverse("accounts:two_factor"))
    key = client.session[SETUP_SECRET]
    response = client.post(
        reverse("accounts:two_factor"), {"code": code_for(key), "password": PASSWORD}
    )
    assert response.status_code == 200, response.content.decode()[:500]
    codes = re.findall(r"<code>([0-9a-z-]{19})</code>", response.content.decode())
    return key, codes


def log_in(client, user, password=PASSWORD, address="10.1.1.1"):
    client.logout()
    return client.post(
        reverse("login"), {"username": user.email, "password": password}, REMOTE_ADDR=address
    )


def give_code(client, code, address="10.1.1.1"):
    return client.post(reverse("accounts:login_code"), {"code": code}, REMOTE_ADDR=address)


def test_turning_it_on_takes_the_password_and_a_code_and_gives_ten_recovery_codes(client, buyer):
    key, codes = turn_on(client, buyer)

    device = TOTPDevice.objects.get(user=buyer)
    assert device.confirmed and device.key == key
    assert len(codes) == len(set(codes)) == 10
    stored = list(RecoveryCode.objects.filter(user=buyer).values_list("digest", flat=True))
    assert len(stored) == 10
    assert not any(code.replace("-", "") in " ".join(stored) for code in codes)
    assert client.get(reverse("home")).status_code == 200  # this session stays


def test_turning_it_on_ends_the_other_sessions(client, buyer):
    elsewhere = Client()
    elsewhere.force_login(buyer)

    turn_on(client, buyer)

    assert elsewhere.get(reverse("home")).url.startswith(reverse("login"))


def test_a_wrong_code_or_password_turns_nothing_on(buyer):
    key = "3132333435363738393031323334353637383930"
    with pytest.raises(InvalidInput) as wrong_code:
        two_factor_enable(user=buyer, secret=key, code="000000", password=PASSWORD)
    with pytest.raises(InvalidInput) as wrong_password:
        two_factor_enable(user=buyer, secret=key, code=code_for(key), password="no")

    assert "code" in wrong_code.value.errors and "password" in wrong_password.value.errors
    assert not TOTPDevice.objects.exists() and not RecoveryCode.objects.exists()


def test_logging_in_takes_a_code_after_the_password(client, buyer):
    key, _codes = turn_on(client, buyer)

    after_password = log_in(client, buyer)

    assert after_password.url == reverse("accounts:login_code")
    assert SESSION_KEY not in client.session  # not logged in yet
    assert client.get(reverse("home")).status_code == 302
    wrong = give_code(client, "000000")
    assert wrong.status_code == 200 and SESSION_KEY not in client.session
    # django-otp makes the next try wait a moment after a wrong code
    assert give_code(client, code_for(key, offset=1)).status_code == 200
    TOTPDevice.objects.update(throttling_failure_timestamp=None)
    right = give_code(client, code_for(key, offset=1))  # the next step: not used yet
    assert right.url == reverse("home")
    assert client.session[SESSION_KEY] == str(buyer.pk)


def test_a_code_logs_in_once(client, buyer):
    key, _codes = turn_on(client, buyer)
    log_in(client, buyer)
    code = code_for(key, offset=1)
    give_code(client, code)

    log_in(client, buyer)
    again = give_code(client, code)

    assert again.status_code == 200
    assert SESSION_KEY not in client.session


def test_a_recovery_code_logs_in_once(client, buyer):
    _key, codes = turn_on(client, buyer)

    log_in(client, buyer)
    first = give_code(client, codes[0].upper())
    log_in(client, buyer)
    again = give_code(client, codes[0])

    assert first.url == reverse("home")
    assert again.status_code == 200
    assert RecoveryCode.objects.filter(user=buyer).count() == 9


def test_the_code_step_needs_the_password_step_first(client, buyer):
    turn_on(client, buyer)
    client.logout()

    response = client.get(reverse("accounts:login_code"))

    assert response.url == reverse("login")


def test_wrong_codes_count_toward_the_login_lockout(client, buyer, axes_on):
    key, _codes = turn_on(client, buyer)
    log_in(client, buyer)
    for _ in range(axes_on.AXES_FAILURE_LIMIT):
        give_code(client, "000000")

    locked = give_code(client, code_for(key, offset=1))

    assert locked.status_code == 429
    assert SESSION_KEY not in client.session
    assert AccessAttempt.objects.filter(username=buyer.email).exists()


def test_new_recovery_codes_replace_the_old_ones(client, buyer):
    _key, old = turn_on(client, buyer)

    response = client.post(reverse("accounts:recovery_codes"), {"codes-password": PASSWORD})

    new = re.findall(r"<code>([0-9a-z-]{19})</code>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    log_in(client, buyer)
    assert give_code(client, old[0]).status_code == 200  # refused


def test_a_contact_turns_it_off_with_the_password(client, buyer):
    turn_on(client, buyer)

    client.post(reverse("accounts:two_factor_off"), {"off-password": "wrong"})
    assert TOTPDevice.objects.filter(user=buyer).exists()
    client.post(reverse("accounts:two_factor_off"), {"off-password": PASSWORD})

    assert not TOTPDevice.objects.filter(user=buyer).exists()
    assert not RecoveryCode.objects.filter(user=buyer).exists()
    assert log_in(client, buyer).url == reverse("home")


def test_site_admins_keep_it_on_where_it_is_required(client, settings):
    settings.TWO_FACTOR_REQUIRED_FOR_STAFF = True
    staff = StaffFactory()
    client.force_login(staff)
    client.get(reverse("accounts:two_factor"))
    key = client.session[SETUP_SECRET]
    client.post(reverse("accounts:two_factor"), {"code": code_for(key), "password": PASSWORD})

    with pytest.raises(NotAllowed):
        two_factor_disable(user=staff, password=PASSWORD)
    assert TOTPDevice.objects.filter(user=staff).exists()


@pytest.mark.parametrize("path", ["/", "/orders/", "/quotes/desk/", "/admin/", "/accounts/people/"])
def test_a_site_admin_without_it_sees_only_the_setup_page_where_it_is_required(
    client, settings, path
):
    settings.TWO_FACTOR_REQUIRED_FOR_STAFF = True
    staff = StaffFactory()
    client.force_login(staff)

    response = client.get(path)

    assert response.status_code == 302
    assert response.url == reverse("accounts:two_factor")
    assert client.get(reverse("accounts:two_factor")).status_code == 200


def test_after_setting_it_up_a_site_admin_goes_on(client, settings):
    settings.TWO_FACTOR_REQUIRED_FOR_STAFF = True
    staff = StaffFactory()
    turn_on(client, staff)

    assert client.get(reverse("home")).status_code == 200
    assert client.get("/admin/").status_code == 200


def test_contacts_are_never_held_to_it(client, settings, buyer):
    settings.TWO_FACTOR_REQUIRED_FOR_STAFF = True
    client.force_login(buyer)

    assert client.get(reverse("home")).status_code == 200


def test_a_site_admin_with_it_logs_in_with_a_code_where_it_is_required(client, settings):
    settings.TWO_FACTOR_REQUIRED_FOR_STAFF = True
    staff = StaffFactory()
    key, _codes = turn_on(client, staff)

    assert log_in(client, staff).url == reverse("accounts:login_code")
    assert give_code(client, code_for(key, offset=1)).url == reverse("home")
    assert client.get("/admin/").status_code == 200


def test_django_admin_asks_for_the_portals_login(client, buyer):
    anonymous = client.get("/admin/login/?next=/admin/companies/user/")

    assert anonymous.status_code == 302
    assert anonymous.url == "/accounts/login/?next=/admin/companies/user/"
    client.force_login(buyer)
    assert client.get("/admin/login/?next=/admin/").status_code == 403  # no loop


def test_a_superuser_turns_it_off_for_someone_who_lost_everything(client, admin_user):
    contact = BuyerFactory()
    turn_on(Client(), contact)
    client.force_login(admin_user)

    client.post(
        reverse("admin:companies_user_changelist"),
        {"action": "turn_off_two_factor", "_selected_action": [contact.pk]},
    )

    assert not TOTPDevice.objects.filter(user=contact).exists()


def test_a_site_admin_may_not_turn_it_off_for_others(client):
    contact = BuyerFactory()
    turn_on(Client(), contact)
    client.force_login(StaffFactory())

    client.post(
        reverse("admin:companies_user_changelist"),
        {"action": "turn_off_two_factor", "_selected_action": [contact.pk]},
    )

    assert TOTPDevice.objects.filter(user=contact).exists()


def test_the_setup_qr_code_is_an_image_of_the_sessions_secret(client, buyer):
    client.force_login(buyer)
    client.get(reverse("accounts:two_factor"))

    response = client.get(reverse("accounts:two_factor_qr"))

    assert response["Content-Type"] == "image/svg+xml"
    assert response["Cache-Control"] == "no-store"
    assert b"<svg" in response.content and b"style=" not in response.content


@pytest.mark.parametrize("codes", [0, 10])
@pytest.mark.parametrize(
    "name", ["accounts:account", "accounts:two_factor", "accounts:password_change"]
)
def test_the_account_pages_cost_the_same_queries_at_any_size(
    client, buyer, codes, name, django_assert_max_num_queries
):
    if codes:
        turn_on(client, buyer)
        RecoveryCode.objects.bulk_create(
            RecoveryCode(user=buyer, digest=f"{i:064x}") for i in range(100)
        )
        buyer.refresh_from_db()  # turning it on stored the password again
    client.force_login(buyer)

    with django_assert_max_num_queries(12):
        response = client.get(reverse(name))

    assert response.status_code == 200
