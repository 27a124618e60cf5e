import pytest

from tests.factories import BuyerFactory
from tests.quotations.factories import DeskStaffFactory


@pytest.fixture
def desk():
    """A site admin on the quote desk."""
    return DeskStaffFactory()


@pytest.fixture
def colleague(buyer):
    return BuyerFactory(company=buyer.company)
