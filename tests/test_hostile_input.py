"""Hostile input, generated: every form and query string of the portal, through the
rows of the permission matrix, gets text with NUL and control characters, huge,
negative and non-numeric numbers, missing and repeated fields, and ids of other
people's objects. Never a 5xx; never anything half-saved.

Each URL is called by the first role the matrix lets in, so the input reaches
the forms and services instead of stopping at the door. ``HOSTILE_EXAMPLES``
sets how many examples each URL gets (10 by default; more for a longer hunt).
"""

import json
import os
import re

import pytest
from django.db import transaction
from django.db.models import Count, Sum
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from approvals.models import ApprovalStep
from companies.models import CostCentre, DeliveryAddress
from core.models import Submission
from orders.models import Order
from quotations.models import Quote, QuoteLine
from requisitions.models import RequisitionLine, RequisitionList
from tests.matrix import API_MATRIX, MATRIX, ROLES, World, build_world, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "10"))
REFUSED = {302, 403, 404, 405}

NASTY = [
    "",
    " ",
    "\x00",
    "PO-000001\x00",
    "Q-000001\x00",
    "\x01\x1f\x7f",
    "-1",
    "0",
    "1.5",
    "1e309",
    "NaN",
    "-Infinity",
    "99999999999999999999999999",
    "abc",
    "１２",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "x" * 6000,
    "a" * 20_000 + "@example.com",  # past every column, the lockout's records' too
]


def _text():
    return st.one_of(
        st.sampled_from(NASTY),
        st.sampled_from(NASTY),
        st.text(max_size=40),
        st.integers(min_value=-(10**20), max_value=10**20).map(str),
        st.decimals(allow_nan=True, allow_infinity=True, places=None).map(str),
    )


def _value(ids: list[str]):
    single = st.one_of(_text(), st.sampled_from(ids))
    return st.one_of(single, st.lists(single, min_size=2, max_size=3))  # repeated fields


@st.composite
def hostile(draw, base: dict, fields: list[str], ids: list[str]) -> dict:
    """A good request with one to three fields dropped, replaced or repeated, so that the
    rest of it carries the bad part deep into the form and the service."""
    names = list(dict.fromkeys([*base, *fields]))
    data = dict(base)
    chosen = st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True)
    for name in draw(chosen) if names else []:
        if draw(st.integers(0, 4)) == 0:
            data.pop(name, None)
        else:
            data[name] = draw(_value(ids))
    extra = draw(st.dictionaries(st.text(min_size=1, max_size=12), _text(), max_size=1))
    return {**extra, **data}


def _first_allowed(statuses: tuple[int, ...]) -> str | None:
    for role, status in zip(ROLES, statuses, strict=True):
        if role != "anonymous" and status not in (403, 404, 405):
            return role
    return None


CASES = [
    pytest.param(name, method, id=f"{method}-{name}")
    for name, row in sorted(MATRIX.items())
    for method, statuses in (("get", row.get), ("post", row.post))
    if _first_allowed(statuses) is not None and name not in ("login", "logout")
]


def _page_fields(client, url: str) -> list[str]:
    """The names of the inputs a page renders: what a browser could send back."""
    response = client.get(url)
    if response.status_code != 200 or response.streaming:  # a file: its row's query names them
        return []
    return sorted(
        set(re.findall(r'name="([^"]+)"', response.content.decode())) - {"csrfmiddlewaretoken"}
    )


def _ids(world: World) -> list[str]:
    """Ids and numbers of everyone's objects: other companies' too, and none at all."""
    return [
        *map(str, ApprovalStep.objects.values_list("pk", flat=True)),
        *map(str, QuoteLine.objects.values_list("pk", flat=True)),
        *map(str, DeliveryAddress.objects.values_list("pk", flat=True)),
        *map(str, CostCentre.objects.values_list("pk", flat=True)),
        *Order.objects.values_list("number", flat=True),
        *Quote.objects.values_list("number", flat=True),
        *map(str, RequisitionList.objects.values_list("pk", flat=True)),
        *map(str, RequisitionLine.objects.values_list("pk", flat=True)),
        "999999999",
    ]


def assert_nothing_half_saved() -> None:
    totals = Order.objects.annotate(n=Count("lines"), summed=Sum("lines__line_total"))
    for number, lines, total, summed in totals.values_list("number", "n", "total", "summed"):
        assert lines, f"{number} has no lines"
        assert total == summed, f"{number}: its total is not the sum of its lines"
    assert not Quote.objects.annotate(n=Count("lines")).filter(n=0).exists(), "a quote, no lines"
    assert not Submission.objects.filter(result="").exists(), "a form key with nothing made"


@pytest.mark.parametrize(("name", "method"), CASES)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_hostile_input_never_breaks_a_page_nor_half_saves(
    client, settings, world, name, method, data
):
    row = MATRIX[name]
    role = _first_allowed(row.get if method == "get" else row.post)
    settings.AXES_ENABLED = False  # it cannot see force_login's request
    client.force_login(world.people[role])
    url = reverse(name.split("@")[0], args=row.args(world))
    if method == "get":
        base, fields = row.query(world), [*_page_fields(client, url), "page"]
    else:
        base, fields = row.body(world), []

    sent = data.draw(hostile(base, fields, _ids(world)), label="request")
    htmx = {"HX-Request": "true"} if data.draw(st.booleans(), label="htmx") else {}
    # The lockout counts what reaches the doors to an account, as in production (its
    # records are narrower than a request); rolled back with the rest of the example.
    settings.AXES_ENABLED = True
    with transaction.atomic():  # every example meets the same world
        response = getattr(client, method)(url, sent, headers=htmx)
        if response.streaming:  # a CSV export: its rows are read while it is sent
            b"".join(response.streaming_content)
        assert response.status_code < 500, (name, method, sent)
        assert_nothing_half_saved()
        transaction.set_rollback(True)


# --- the REST API -------------------------------------------------------------------
# JSON of any shape where the API expects an object: wrong types, nesting, numbers past
# any column, NaN, other people's ids and numbers; query strings as for the pages.

API_CASES = [
    pytest.param(name, method, id=f"api-{method}-{name}")
    for name, row in sorted(API_MATRIX.items())
    for method, statuses in row.expect.items()
    if _first_allowed(statuses) is not None and name not in ("api:docs", "api:redoc")
]


def _json_junk(ids: list[str]):
    leaves = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**40), max_value=10**40),
        st.floats(allow_nan=True, allow_infinity=True),
        _text(),
        st.sampled_from(ids),
        st.sampled_from([int(i) for i in ids if i.isdigit()] or [0]),
    )
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            st.lists(children, max_size=3),
            st.dictionaries(st.text(max_size=8), children, max_size=3),
        ),
        max_leaves=8,
    )


@st.composite
def hostile_json(draw, base: dict, ids: list[str]):
    """A good body with a few values (top level, or inside its rows) swapped for junk;
    now and then no object at all."""
    junk = _json_junk(ids)
    if not base or draw(st.integers(0, 5)) == 0:
        return draw(junk)
    data = json.loads(json.dumps(base))
    for _ in range(draw(st.integers(1, 3))):
        target = data
        rows = [k for k, v in data.items() if isinstance(v, list) and v and isinstance(v[0], dict)]
        if rows and draw(st.booleans()):
            target = data[draw(st.sampled_from(rows))][0]
        names = [*target, "extra"]
        name = draw(st.sampled_from(names))
        if draw(st.integers(0, 4)) == 0:
            target.pop(name, None)
        else:
            target[name] = draw(junk)
    return data


@pytest.mark.parametrize(("name", "method"), API_CASES)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_hostile_input_never_breaks_the_api_nor_half_saves(world, name, method, data):
    row = API_MATRIX[name]
    role = _first_allowed(row.expect[method])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {world.keys[role]}")
    url = reverse(name.split("@")[0], args=row.args(world))
    ids = _ids(world)
    headers = {}
    if data.draw(st.booleans(), label="idempotency key"):
        headers["Idempotency-Key"] = data.draw(_text(), label="key")
    with transaction.atomic():
        before = snapshot()
        if method == "get":
            fields = ["status", "company", "updated_since", "cursor", "page_size", "sku"]
            sent = data.draw(hostile(row.query(world), fields, ids), label="query")
            response = client.get(url, sent, headers=headers)
        else:
            sent = data.draw(hostile_json(row.body(world), ids), label="body")
            try:
                body = json.dumps(sent)
            except ValueError:
                body = "{"
            response = getattr(client, method)(
                url, body, content_type="application/json", headers=headers
            )
        assert response.status_code < 500, (name, method, sent)
        if response.status_code >= 400:
            assert snapshot() == before, f"{name}: a refused call changed data ({sent!r})"
            assert response.json()["detail"]
        assert_nothing_half_saved()
        transaction.set_rollback(True)
