"""A company's details: kept by its administrators in the portal, read by its contacts."""

import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse

from companies.models import Company, CostCentre, DeliveryAddress
from companies.services import AddressRow, CentreRow, company_details_update
from core.domain import InvalidInput, NotAllowed, StaleVersion
from tests.approvals.test_tiers import company_form
from tests.factories import (
    BuyerFactory,
    CostCentreFactory,
    DeliveryAddressFactory,
    StaffFactory,
    place_order,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(company):
    return BuyerFactory(company=company, is_company_admin=True)


def _seen(company_id: int) -> int:
    """The details' version a page would show now."""
    return Company.objects.get(pk=company_id).details_version


def _update(admin, addresses=(), centres=(), seen_version=None, **details):
    return company_details_update(
        company_id=admin.company_id,
        actor=admin,
        seen_version=_seen(admin.company_id) if seen_version is None else seen_version,
        billing_address=details.get("billing_address", "1 Ledger Lane"),
        vat_id=details.get("vat_id", "GB1"),
        payment_terms=details.get("payment_terms", "30 days net"),
        addresses=list(addresses),
        cost_centres=list(centres),
    )


def test_an_administrator_keeps_the_details_addresses_and_cost_centres(admin):
    company = _update(
        admin,
        addresses=[AddressRow(None, "Main", "1 Road"), AddressRow(None, "Depot", "2 Quay")],
        centres=[CentreRow(None, "IT", "Information technology")],
        vat_id=" GB123 ",
    )

    company.refresh_from_db()
    assert (company.vat_id, company.payment_terms) == ("GB123", "30 days net")
    assert list(company.delivery_addresses.values_list("label", "is_default")) == [
        ("Main", True),  # none chosen: the first becomes the default
        ("Depot", False),
    ]
    assert list(company.cost_centres.values_list("code", flat=True)) == ["IT"]


def test_the_default_moves_from_one_address_to_another(admin):
    main = DeliveryAddressFactory(company=admin.company, is_default=True)
    depot = DeliveryAddressFactory(company=admin.company)

    _update(
        admin,
        addresses=[
            AddressRow(main.pk, main.label, main.address, is_default=False),
            AddressRow(depot.pk, depot.label, depot.address, is_default=True),
        ],
    )

    assert DeliveryAddress.objects.get(is_default=True) == depot


def test_two_defaults_are_refused_and_nothing_changes(admin):
    DeliveryAddressFactory(company=admin.company, is_default=True, label="Main")

    with pytest.raises(InvalidInput):
        _update(
            admin,
            addresses=[AddressRow(None, "A", "a", True), AddressRow(None, "B", "b", True)],
            vat_id="CHANGED",
        )

    assert list(DeliveryAddress.objects.values_list("label", flat=True)) == ["Main"]
    admin.company.refresh_from_db()
    assert admin.company.vat_id == ""


def test_an_address_needs_a_name_and_lines(admin):
    with pytest.raises(InvalidInput) as refused:
        _update(admin, addresses=[AddressRow(None, "", "1 Road")])

    assert "addresses-0-label" in refused.value.errors


def test_a_cost_centre_code_is_used_once(admin):
    with pytest.raises(InvalidInput):
        _update(admin, centres=[CentreRow(None, "IT"), CentreRow(None, "IT", "again")])

    assert not CostCentre.objects.exists()


def test_codes_may_swap_between_cost_centres(admin):
    a = CostCentreFactory(company=admin.company, code="A")
    b = CostCentreFactory(company=admin.company, code="B")

    _update(admin, centres=[CentreRow(a.pk, "B"), CentreRow(b.pk, "A")])

    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.code, b.code) == ("B", "A")


def test_another_companys_address_or_cost_centre_is_not_found(admin, other_company_buyer):
    theirs = DeliveryAddressFactory(company=other_company_buyer.company)
    their_centre = CostCentreFactory(company=other_company_buyer.company)

    with pytest.raises(Http404):
        _update(admin, addresses=[AddressRow(theirs.pk, "Mine now", "x", delete=False)])
    with pytest.raises(Http404):
        _update(admin, addresses=[AddressRow(theirs.pk, "", "", delete=True)])
    with pytest.raises(Http404):
        _update(admin, centres=[CentreRow(their_centre.pk, "X")])

    theirs.refresh_from_db()
    assert theirs.label != "Mine now"
    assert CostCentre.objects.filter(pk=their_centre.pk).exists()


def test_only_the_companys_administrators_change_its_details(admin, other_company_buyer):
    colleague = BuyerFactory(company=admin.company)
    stranger_admin = BuyerFactory(company=other_company_buyer.company, is_company_admin=True)

    for actor in (colleague, stranger_admin):
        with pytest.raises(NotAllowed):
            company_details_update(
                company_id=admin.company_id,
                actor=actor,
                seen_version=_seen(admin.company_id),
                billing_address="x",
                vat_id="x",
                payment_terms="x",
                addresses=[],
                cost_centres=[],
            )

    admin.company.refresh_from_db()
    assert admin.company.vat_id == ""


def test_a_deleted_address_leaves_its_orders_where_they_were_to_go(admin, products):
    main = DeliveryAddressFactory(company=admin.company, is_default=True, label="Main")
    order = place_order(admin, (products[0], 1))

    _update(admin, addresses=[AddressRow(main.pk, "", "", delete=True)])

    order.refresh_from_db()
    assert order.delivery_address_id is None
    assert order.delivery_to.startswith("Main")


def test_the_page_is_read_only_for_a_contact_and_a_form_for_an_administrator(
    client, admin, django_assert_max_num_queries
):
    DeliveryAddressFactory(company=admin.company, label="Main", is_default=True)
    CostCentreFactory(company=admin.company, code="IT")
    client.force_login(BuyerFactory(company=admin.company))

    with django_assert_max_num_queries(10):
        html = client.get(reverse("accounts:company")).content.decode()
    assert 'id="company-details"' in html and "Main" in html and "IT" in html
    assert 'id="company-details-form"' not in html
    assert client.post(reverse("accounts:company"), {}).status_code == 403

    client.force_login(admin)
    html = client.get(reverse("accounts:company")).content.decode()
    assert 'id="company-details-form"' in html


def test_an_administrator_saves_the_page(client, admin):
    main = DeliveryAddressFactory(company=admin.company, label="Main", is_default=True)
    client.force_login(admin)

    response = client.post(
        reverse("accounts:company"),
        {
            "version": str(_seen(admin.company_id)),
            "billing_address": "1 Ledger Lane",
            "vat_id": "GB9",
            "payment_terms": "14 days",
            "addresses-TOTAL_FORMS": "2",
            "addresses-INITIAL_FORMS": "1",
            "addresses-0-id": str(main.pk),
            "addresses-0-label": "Main",
            "addresses-0-address": "1 Road",
            "addresses-1-label": "Depot",
            "addresses-1-address": "2 Quay",
            "addresses-1-is_default": "on",
            "centres-TOTAL_FORMS": "1",
            "centres-INITIAL_FORMS": "0",
            "centres-0-code": "",
            "centres-0-name": "",
        },
    )

    assert response.status_code == 302
    assert DeliveryAddress.objects.get(is_default=True).label == "Depot"
    admin.company.refresh_from_db()
    assert admin.company.vat_id == "GB9"


def test_a_refused_row_is_marked_on_its_field(client, admin):
    client.force_login(admin)

    response = client.post(
        reverse("accounts:company"),
        {
            "version": str(_seen(admin.company_id)),
            "addresses-TOTAL_FORMS": "1",
            "addresses-INITIAL_FORMS": "0",
            "addresses-0-label": "",
            "addresses-0-address": "no name",
            "centres-TOTAL_FORMS": "0",
            "centres-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "is needed" in response.content.decode()
    assert not DeliveryAddress.objects.exists()


def test_a_save_over_details_changed_since_is_refused_and_changes_nothing(admin):
    seen = _seen(admin.company_id)
    _update(admin, vat_id="GB-FIRST", addresses=[AddressRow(None, "Main", "1 Road")])

    with pytest.raises(StaleVersion):
        _update(
            admin,
            seen_version=seen,
            vat_id="GB-SECOND",
            addresses=[AddressRow(None, "Depot", "2 Quay")],
            centres=[CentreRow(None, "IT")],
        )

    company = Company.objects.get(pk=admin.company_id)
    assert company.vat_id == "GB-FIRST"
    assert company.details_version == seen + 1
    assert list(DeliveryAddress.objects.values_list("label", flat=True)) == ["Main"]
    assert not CostCentre.objects.exists()


def test_a_refused_save_leaves_the_version_where_it_was(admin):
    seen = _seen(admin.company_id)

    with pytest.raises(InvalidInput):
        _update(admin, addresses=[AddressRow(None, "", "no name")])

    assert _seen(admin.company_id) == seen


def _page_data(client) -> dict:
    """The details form as the page shows it, ready to post back."""
    form = client.get(reverse("accounts:company")).context["form"]
    return {
        "version": str(form.initial["version"]),
        "billing_address": form.initial["billing_address"],
        "vat_id": form.initial["vat_id"],
        "payment_terms": form.initial["payment_terms"],
        "addresses-TOTAL_FORMS": "0",
        "addresses-INITIAL_FORMS": "0",
        "centres-TOTAL_FORMS": "0",
        "centres-INITIAL_FORMS": "0",
    }


def test_a_page_saved_after_someone_else_saved_says_look_again_and_keeps_theirs(client, admin):
    colleague = BuyerFactory(company=admin.company, is_company_admin=True)
    client.force_login(admin)
    mine = _page_data(client)
    _update(colleague, vat_id="GB-THEIRS", payment_terms="14 days")

    response = client.post(reverse("accounts:company"), {**mine, "vat_id": "GB-MINE"}, follow=True)

    assert response.redirect_chain == [(reverse("accounts:company"), 302)]
    html = response.content.decode()
    assert "Someone else saved the company&#x27;s details while you were editing them" in html
    assert 'value="GB-THEIRS"' in html  # the page again, as saved now
    company = Company.objects.get(pk=admin.company_id)
    assert (company.vat_id, company.payment_terms) == ("GB-THEIRS", "14 days")


def test_a_tampered_version_is_refused_as_an_out_of_date_page(client, admin):
    client.force_login(admin)

    response = client.post(
        reverse("accounts:company"), {**_page_data(client), "version": "x", "vat_id": "GB-NEW"}
    )

    assert response.status_code == 200
    assert "This page is out of date or incomplete" in response.content.decode()
    assert Company.objects.get(pk=admin.company_id).vat_id == ""


def test_details_changed_in_django_admin_make_an_open_page_out_of_date(client, admin):
    client.force_login(admin)
    mine = _page_data(client)
    company = admin.company
    site_admin = Client()
    site_admin.force_login(StaffFactory())
    change = reverse("admin:companies_company_change", args=[company.pk])
    saved = site_admin.post(change, company_form(company, [], payment_terms="60 days net"))
    assert saved.status_code == 302

    client.post(reverse("accounts:company"), {**mine, "vat_id": "GB-MINE"})

    company.refresh_from_db()
    assert (company.payment_terms, company.vat_id) == ("60 days net", "")
