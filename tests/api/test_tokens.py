"""Personal API tokens: made on the account page and shown once, stored hashed, acting
as their person until they expire, are revoked, or the person is deactivated."""

import re
from datetime import timedelta
from uuid import uuid4

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from api.admin import ApiTokenAdmin
from api.models import ApiToken
from api.services import api_token_create, api_token_revoke, key_hash
from core.domain import InvalidInput, NotAllowed
from tests.factories import BuyerFactory

pytestmark = pytest.mark.django_db


def _call(key: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client.get(reverse("api:company"))


def test_a_token_is_stored_hashed_and_acts_as_its_person(buyer):
    token, key = api_token_create(user=buyer, name="ERP sync", days=30)
    assert key.startswith(token.prefix) and len(key) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == key_hash(key) and key not in stored.key_hash
    assert _call(key).json()["id"] == buyer.company_id
    stored.refresh_from_db()
    assert stored.last_used_at is not None


@pytest.mark.parametrize(
    "header",
    ["Bearer b2b_wrong", "Bearer", "Bearer a b", "Token x", "Bearer \u00e9t\u00e9"],
)
def test_a_wrong_key_or_header_is_a_401(buyer, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(reverse("api:company"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["error"]


def test_revoked_expired_and_deactivated_tokens_stop_working(buyer):
    revoked, revoked_key = api_token_create(user=buyer, name="one", days=30)
    expired, expired_key = api_token_create(user=buyer, name="two", days=1)
    _working, working_key = api_token_create(user=buyer, name="three", days=None)
    api_token_revoke(token_id=revoked.pk, actor=buyer)
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert _call(revoked_key).status_code == 401
    assert _call(expired_key).status_code == 401
    assert _call(working_key).status_code == 200
    buyer.is_active = False
    buyer.save(update_fields=["is_active"])
    assert _call(working_key).status_code == 401


def test_only_the_owner_or_staff_revoke(buyer, staff):
    token, _key = api_token_create(user=buyer, name="ERP", days=30)
    with pytest.raises(NotAllowed):
        api_token_revoke(token_id=token.pk, actor=BuyerFactory(company=buyer.company))
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    api_token_revoke(token_id=token.pk, actor=staff)
    assert ApiToken.objects.get(pk=token.pk).revoked_by == staff


def test_names_and_expiries_are_checked(buyer):
    api_token_create(user=buyer, name="ERP", days=30)
    for name, days in [("", 30), ("ERP", 30), ("x" * 101, 30), ("Other", 0), ("Other", 999)]:
        with pytest.raises(InvalidInput):
            api_token_create(user=buyer, name=name, days=days)
    assert ApiToken.objects.filter(user=buyer).count() == 1


def test_the_account_page_links_to_the_tokens_page(client, buyer):
    client.force_login(buyer)
    page = client.get(reverse("accounts:account")).content.decode()
    assert reverse("api_tokens:list") in page


def test_the_key_is_shown_once_and_a_resent_form_makes_no_second_token(client, buyer):
    client.force_login(buyer)
    form = {"name": "ERP sync", "expiry": "90", "submission": str(uuid4())}

    first = client.post(reverse("api_tokens:list"), form)

    key = re.search(r'id="new-token-key" type="text" value="([^"]+)"', first.content.decode())[1]
    assert _call(key).status_code == 200
    again = client.post(reverse("api_tokens:list"), form, follow=True)
    assert key not in again.content.decode()
    assert "made already" in again.content.decode()
    assert key not in client.get(reverse("api_tokens:list")).content.decode()
    assert ApiToken.objects.filter(user=buyer).count() == 1


def test_a_person_revokes_their_token_on_the_page(client, buyer):
    token, key = api_token_create(user=buyer, name="ERP", days=30)
    client.force_login(buyer)
    response = client.post(reverse("api_tokens:revoke", args=[token.pk]), follow=True)
    assert "revoked" in response.content.decode()
    assert _call(key).status_code == 401


def test_staff_revoke_any_token_in_admin(buyer, staff):
    token, key = api_token_create(user=buyer, name="ERP", days=30)
    request = RequestFactory().post("/admin/api/apitoken/")
    request.user = staff
    request._messages = type("M", (), {"add": lambda *a, **k: None})()
    ApiTokenAdmin(ApiToken, site).revoke(request, ApiToken.objects.filter(pk=token.pk))
    assert _call(key).status_code == 401


def test_calls_are_limited_per_token(buyer, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "3/minute", "session": "100/minute"},
    }
    _one, first = api_token_create(user=buyer, name="one", days=30)
    _two, second = api_token_create(user=buyer, name="two", days=30)
    assert [_call(first).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert _call(first).json()["error"] == "throttled"
    assert _call(second).status_code == 200  # another token has its own count


def test_a_token_from_the_shell_for_scripts(buyer):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("api_token", email=buyer.email.upper(), name="curl", stdout=out)
    assert _call(out.getvalue().strip()).status_code == 200
    with pytest.raises(CommandError):
        call_command("api_token", email="nobody@example.com", name="curl")
