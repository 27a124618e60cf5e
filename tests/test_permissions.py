"""Who may open and post what: every URL of the portal, for every kind of person.

The URLs come from the resolver: a URL without a row in ``tests/matrix.py``
fails the test, so a new page cannot ship unchecked (Django admin is left to
Django's own model permissions). Each row gives, for every role, the status of
a GET and of a POST carrying a body that would do the URL's work. A POST that
is refused (a redirect to the login, 403, 404) must change nothing; every
request runs in a savepoint rolled back afterwards, so each role meets the same
world.
"""

import pytest
from django.db import transaction
from django.urls import reverse

from tests.matrix import (
    API_MATRIX,
    MATRIX,
    ROLES,
    World,
    build_world,
    changed_tables,
    named_urls,
    snapshot,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def test_every_url_of_the_portal_has_a_row():
    rows = {name.split("@")[0] for name in [*MATRIX, *API_MATRIX]}
    missing = set(named_urls()) - rows
    assert not missing, f"URLs without a row in the permission matrix: {sorted(missing)}"


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_who_may_open_and_post_what(client, world, name):
    row = MATRIX[name]
    url = reverse(name.split("@")[0], args=row.args(world))
    seen = {}
    for role in ROLES:
        for method in ("get", "post"):
            with transaction.atomic():
                client.logout()
                if world.people[role] is not None:
                    client.force_login(world.people[role])
                before = snapshot()
                data = row.body(world) if method == "post" else row.query(world)
                response = getattr(client, method)(url, data)
                changed = changed_tables(before, snapshot())
                transaction.set_rollback(True)
            seen[(role, method)] = response.status_code
            # logging out ends the session and shows the login page: done, not refused
            to_login = response.status_code == 302 and response.url.startswith(reverse("login"))
            if response.status_code in (403, 404) or (to_login and name != "logout"):
                assert not changed, f"{role} {method.upper()} {name} refused, yet changed {changed}"
    actual_get = tuple(seen[(r, "get")] for r in ROLES)
    actual_post = tuple(seen[(r, "post")] for r in ROLES)
    assert (actual_get, actual_post) == (row.get, row.post), (name, actual_get, actual_post)


def _api_call(client, world: World, row, method: str, url: str):
    if method == "get":
        return client.get(url, row.query(world))
    return getattr(client, method)(url, row.body(world), format="json")


@pytest.mark.parametrize("auth", ["token", "session"])
@pytest.mark.parametrize("name", sorted(API_MATRIX))
def test_who_may_call_what_in_the_api(world, name, auth):
    """The same answers with a person's token as with their session: a token acts as
    its person. A refused call (401, 403, 404, 405, 409, 400) changes nothing."""
    from rest_framework.test import APIClient

    row = API_MATRIX[name]
    url = reverse(name.split("@")[0], args=row.args(world))
    seen = {}
    for method in row.expect:
        for role in ROLES:
            client = APIClient()
            if world.people[role] is not None:
                if auth == "token":
                    client.credentials(HTTP_AUTHORIZATION=f"Bearer {world.keys[role]}")
                else:
                    client.force_login(world.people[role])
            with transaction.atomic():
                before = snapshot()
                response = _api_call(client, world, row, method, url)
                changed = changed_tables(before, snapshot())
                transaction.set_rollback(True)
            seen[(method, role)] = response.status_code
            if response.status_code >= 400:
                assert not changed, f"{role} {method.upper()} {name} refused, yet changed {changed}"
                if name not in ("api:schema", "api:docs", "api:redoc"):  # pages, not JSON
                    body = response.json()
                    assert body["error"] and isinstance(body["detail"], str), (name, role, body)
    actual = {method: tuple(seen[(method, r)] for r in ROLES) for method in row.expect}
    assert actual == row.expect, (name, auth, actual)
