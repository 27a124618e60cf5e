"""People acting on accounts at the same moment, each on their own connection (Postgres)."""

import threading
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import Invitation, InvitationStatus
from accounts.services import invitation_accept, invitation_send, person_deactivate
from accounts.tokens import invitation_token
from companies.models import User
from core.domain import DomainError
from tests.concurrency import run_at_once
from tests.core.test_concurrency import post_twice_at_once
from tests.factories import BuyerFactory, CompanyFactory, StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_link_opened_in_two_tabs_sets_one_password():
    invitation = invitation_send(
        actor=StaffFactory(), email="n@example.com", full_name="N", company_id=CompanyFactory().pk
    )
    token = invitation_token(invitation)

    def accept(password):
        return lambda: invitation_accept(
            invitation_id=invitation.pk, token=token, password=password, full_name="N"
        )

    outcomes = run_at_once(accept("first-secret-291"), accept("second-secret-382"))

    refused = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(refused) == 1 and "accepted already" in str(refused[0])
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED
    person = User.objects.get(pk=invitation.user_id)
    assert sum(person.check_password(p) for p in ("first-secret-291", "second-secret-382")) == 1


def test_two_administrators_deactivating_each_other_at_once_leave_one():
    company = CompanyFactory()
    ann = BuyerFactory(company=company, is_company_admin=True)
    bob = BuyerFactory(company=company, is_company_admin=True)

    outcomes = run_at_once(
        lambda: person_deactivate(actor=ann, user_id=bob.pk),
        lambda: person_deactivate(actor=bob, user_id=ann.pk),
    )

    assert sum(isinstance(o, DomainError) for o in outcomes) == 1
    active = User.objects.filter(company=company, is_company_admin=True, is_active=True)
    assert active.count() == 1


def test_a_double_clicked_invitation_invites_once():
    admin = BuyerFactory(is_company_admin=True)
    data = {
        "submission": str(uuid.uuid4()),
        "full_name": "Nora Newcomer",
        "email": "nora@example.com",
        "job_title": "",
    }

    responses = post_twice_at_once(admin, reverse("accounts:invite"), data)

    assert [r.status_code for r in responses] == [302, 302]
    assert User.objects.filter(email="nora@example.com").count() == 1
    assert Invitation.objects.count() == 1


def test_two_site_admins_inviting_one_address_at_once_make_one_person():
    company = CompanyFactory()

    def invite(actor):
        return lambda: invitation_send(
            actor=actor, email="same@example.com", full_name="S", company_id=company.pk
        )

    outcomes = run_at_once(invite(StaffFactory()), invite(StaffFactory()))

    assert sum(isinstance(o, DomainError) for o in outcomes) == 1
    assert User.objects.filter(email="same@example.com").count() == 1
    assert Invitation.objects.count() == 1


def test_two_administrators_saving_the_company_details_at_once_lose_nothing():
    # given two administrators with the company page open, at the same version
    company = CompanyFactory()
    ann = BuyerFactory(company=company, is_company_admin=True)
    bob = BuyerFactory(company=company, is_company_admin=True)
    page = {
        "version": "1",
        "billing_address": "",
        "payment_terms": "",
        "addresses-TOTAL_FORMS": "1",
        "addresses-INITIAL_FORMS": "0",
        "centres-TOTAL_FORMS": "0",
        "centres-INITIAL_FORMS": "0",
    }
    edits = {
        ann: {**page, "vat_id": "GB-ANN", "addresses-0-label": "Ann's", "addresses-0-address": "1"},
        bob: {**page, "vat_id": "GB-BOB", "addresses-0-label": "Bob's", "addresses-0-address": "2"},
    }
    barrier = threading.Barrier(2)
    pages = {}

    def save(person):
        client = Client()
        client.force_login(person)
        try:
            barrier.wait()
            pages[person] = client.post(reverse("accounts:company"), edits[person], follow=True)
        finally:
            connection.close()

    # when both save at the same moment
    threads = [threading.Thread(target=save, args=(p,)) for p in (ann, bob)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then one is saved whole, and the other was told to look again
    said = {p: r.content.decode() for p, r in pages.items()}
    saved = [p for p in (ann, bob) if "The company&#x27;s details are saved." in said[p]]
    told = [p for p in (ann, bob) if "Someone else saved the company&#x27;s details" in said[p]]
    assert len(saved) == 1 and len(told) == 1 and saved != told
    company.refresh_from_db()
    winner = edits[saved[0]]
    assert company.vat_id == winner["vat_id"]
    assert list(company.delivery_addresses.values_list("label", flat=True)) == [
        winner["addresses-0-label"]
    ]
    assert company.details_version == 2
