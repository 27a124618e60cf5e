import re

import pytest

from tests.factories import BuyerFactory, CompanyFactory

INVITATION_LINK = re.compile(r"https?://[^\s\"<>]+/accounts/invitation/\d+/[0-9a-f]+/")
RESET_LINK = re.compile(r"https?://[^\s\"<>]+/accounts/password/reset/[^/\s]+/[^/\s]+/")


def link_in(message, pattern=INVITATION_LINK) -> str:
    """The link an email carries (its text part), as a path of the portal."""
    found = pattern.findall(message.body)
    assert found, message.body
    return "/" + found[-1].split("/", 3)[3]


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    return settings


@pytest.fixture
def company_admin(company):
    return BuyerFactory(company=company, is_company_admin=True)


@pytest.fixture
def other_company():
    return CompanyFactory()
