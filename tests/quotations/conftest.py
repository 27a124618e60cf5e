import pytest

from tests.factories import BuyerFactory


@pytest.fixture
def colleague(buyer):
    return BuyerFactory(company=buyer.company)
