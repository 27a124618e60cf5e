"""The API answers as its served schema says, for every operation and every role.

Schemathesis reads the schema the portal serves and generates calls from it
(the schema's examples, its boundaries, then random ones), some aimed at the
world's real orders, quotes, SKUs, steps and versions so that writes succeed
too. Each call is made with a real token of a buyer, an approver, a company
administrator and a site admin, in process through the portal's WSGI
application on the test database. An answer fails the test when it is a 5xx,
has a status the operation does not list, or a body, a content type or a header
other than the schema says; and when an operation answers without a working key.
"""

import itertools
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from api.services import api_token_create
from approvals.models import ApprovalStep, StepStatus
from orders.models import Order
from quotations.models import Quote, QuoteLine
from tests.approvals.factories import ApprovalTierFactory
from tests.factories import BuyerFactory, CompanyFactory, ProductFactory, StaffFactory, place_order
from tests.quotations.factories import offer, request_quote

pytestmark = pytest.mark.django_db

# The schema as the portal serves it, read once when the tests are collected.
SCHEMA = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())

ROLES = ("buyer", "approver", "company_admin", "site_admin")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    ignored_auth,
    unsupported_method,
]
# The schema's examples, its boundaries and this many random calls per operation (a
# well-formed call made by all four roles, a malformed one by one of them in turn): the
# whole run stays well under a minute on two cores.
EXAMPLES = 12


@dataclass
class World:
    keys: dict[str, str]
    orders: list[str]
    quotes: list[str]
    skus: list[str]
    turns: itertools.count = field(default_factory=itertools.count)

    def pick(self, generated, real: list):
        """The generated value or one of the real ones, in turn (the same turns on every
        run: the calls come in the same order)."""
        options = [generated, *real]
        return options[next(self.turns) % len(options)]


@pytest.fixture
def world(settings) -> World:
    """A company with a buyer, an approver (orders from $100) and a company administrator;
    a site admin on the quote desk; orders waiting and approved, quotes asked and offered;
    another company's order and quote."""
    # every call is counted by the throttle: its answer is checked on its own (below)
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "100000/minute", "session": "100000/minute"},
    }
    company = CompanyFactory()
    people = {
        "buyer": BuyerFactory(company=company),
        "approver": BuyerFactory(company=company),
        "company_admin": BuyerFactory(company=company, is_company_admin=True),
        "site_admin": StaffFactory(),
    }
    ApprovalTierFactory(company=company, approver=people["approver"], minimum=Decimal("100.00"))
    bolt = ProductFactory(sku="BOLT-M8", unit_price=Decimal("0.42"))
    chair = ProductFactory(sku="CHR-1001", unit_price=Decimal("350.00"))
    buyer, stranger = people["buyer"], BuyerFactory()
    orders = [
        place_order(buyer, (chair, 1)),  # waits for the approver
        place_order(buyer, (bolt, 5)),  # approved at once
        place_order(people["company_admin"], (bolt, 10)),
        place_order(stranger, (bolt, 1)),
    ]
    asked = request_quote(buyer, (chair, 3))
    offered = offer(
        request_quote(buyer, (bolt, 5000, "0.35")), people["site_admin"], {bolt: "0.37"}
    )
    quotes = [asked, offered, request_quote(stranger, (bolt, 100))]
    return World(
        keys={
            role: api_token_create(user=person, name="Conformance", days=30)[1]
            for role, person in people.items()
        },
        orders=[order.number for order in orders],
        quotes=[quote.number for quote in quotes],
        skus=[bolt.sku, chair.sku],
    )


@pytest.fixture(autouse=True)
def _one_connection():
    """The calls run on the test's own connection, in its transaction, as Django's test
    client does: a request's end must not close it."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def aim(case, world: World) -> None:
    """Point part of a generated call at real objects: the number in the path, the SKUs
    of the lines, the version, the approval step and the quote lines of the body."""
    number = (case.path_parameters or {}).get("number")
    if number is not None:
        pool = world.quotes if case.path.startswith("/api/v1/quotes/") else world.orders
        number = case.path_parameters["number"] = world.pick(number, pool)
    body = case.body
    if not isinstance(body, dict):
        return
    if isinstance(body.get("lines"), list):
        for line in body["lines"]:
            if isinstance(line, dict) and "sku" in line:
                line["sku"] = world.pick(line["sku"], world.skus)
            if isinstance(line, dict) and "line_id" in line:
                real = list(
                    QuoteLine.objects.filter(quote__number=number).values_list("pk", flat=True)
                )
                line["line_id"] = world.pick(line["line_id"], real)
    if "version" in body and number is not None:
        model = Quote if number in world.quotes else Order
        real = list(model.objects.filter(number=number).values_list("version", flat=True))
        body["version"] = world.pick(body["version"], real)
    if "step" in body and number is not None:
        real = list(
            ApprovalStep.objects.filter(order__number=number, status=StepStatus.OPEN).values_list(
                "pk", flat=True
            )
        )
        body["step"] = world.pick(body["step"], real)


def roles_for(case, world: World) -> tuple[str, ...]:
    """Every role for a well-formed call; a malformed one (the boundaries' and the random
    calls' invalid half) is refused alike whoever sends it: one role, in turn."""
    if case.meta is not None and case.meta.generation.mode.is_negative:
        return (ROLES[next(world.turns) % len(ROLES)],)
    return ROLES


@SCHEMA.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_every_answer_is_the_one_the_schema_describes(case, world):
    aim(case, world)
    for role in roles_for(case, world):
        case.call_and_validate(
            headers={"Authorization": f"Bearer {world.keys[role]}"}, checks=CHECKS
        )


def _key(world: World) -> dict:
    return {"Authorization": f"Bearer {world.keys['buyer']}"}


@pytest.mark.parametrize(
    ("label", "headers", "status"),
    [
        ("no key", lambda w: {}, 401),
        ("a wrong key", lambda w: {"Authorization": "Bearer b2b_wrong"}, 401),
        ("no JSON acceptable", lambda w: {**_key(w), "Accept": "text/html"}, 406),
        ("a body that is not JSON", lambda w: {**_key(w), "Content-Type": "text/plain"}, 415),
    ],
)
def test_the_refusals_every_call_shares_are_answered_as_described(world, label, headers, status):
    # calls the generated ones seldom make
    case = SCHEMA["/api/v1/orders/"]["POST"].Case(
        body={"lines": [{"sku": "BOLT-M8", "quantity": 1}]}
    )

    response = case.call(headers=headers(world))

    assert response.status_code == status, label
    case.validate_response(response, checks=CHECKS)


def test_a_throttled_call_is_answered_as_described(world, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "2/minute", "session": "2/minute"},
    }
    case = SCHEMA["/api/v1/orders/"]["GET"].Case()

    answers = [case.call(headers=_key(world)) for _ in range(3)]

    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert int(answers[-1].headers["retry-after"][0]) > 0
    case.validate_response(answers[-1], checks=CHECKS)
