"""No endpoint of the API hands one company's data to another: every read and every
write of the permission matrix, called by a buyer of another company, whatever it
answers, never carries an order, quote, person or name of the buyer's company."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from orders.models import Order
from quotations.models import Quote
from tests.matrix import API_MATRIX, World, build_world

pytestmark = pytest.mark.django_db

DOCS = ("api:schema", "api:docs", "api:redoc")


@pytest.fixture
def world() -> World:
    return build_world()


def _secrets_of(company_id: int, world: World) -> list[str]:
    numbers = [
        *Order.objects.filter(company_id=company_id).values_list("number", flat=True),
        *Quote.objects.filter(company_id=company_id).values_list("number", flat=True),
    ]
    people = [
        p for p in [*world.people.values(), *world.accounts.values()] if getattr(p, "company_id", 0)
    ]
    mine = [p for p in people if p.company_id == company_id]
    return [
        *(f'"{n}"' for n in numbers),
        *(p.email for p in mine),
        *(f'"{p.full_name}"' for p in mine),
        f'"{world.people["buyer"].company.name}"',
    ]


def test_no_endpoint_returns_another_companys_data(world):
    secrets = _secrets_of(world.people["buyer"].company_id, world)
    assert len(secrets) > 10
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {world.keys['stranger']}")
    called = 0
    for name, row in sorted(API_MATRIX.items()):
        if name in DOCS:
            continue
        url = reverse(name.split("@")[0], args=row.args(world))
        for method in row.expect:
            if method == "get":
                response = client.get(url, row.query(world))
            else:
                response = getattr(client, method)(url, row.body(world), format="json")
            text = response.content.decode()
            leaked = [secret for secret in secrets if secret in text]
            assert not leaked, (name, method, response.status_code, leaked)
            called += 1
    assert called >= 30
