import os

import pytest
from django.core.management import call_command

from companies.models import User

pytestmark = pytest.mark.django_db


def test_the_demo_has_one_company_administrator_at_acme():
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115

    admins = User.objects.filter(is_company_admin=True)

    assert [(u.email, u.company.slug) for u in admins] == [("buyer1@acme.example", "acme")]
