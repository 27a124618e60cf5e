"""Requisition lists: who sees, who changes, and ordering one at today's prices."""

import uuid

import pytest
from django.http import Http404

from core.domain import InvalidInput, NotAllowed, StaleVersion
from core.submissions import AlreadySubmitted
from orders.services import LineRequest
from requisitions.models import RequisitionEvent, RequisitionLine, RequisitionList
from requisitions.selectors import (
    requisition_get_for_user,
    requisition_list_for_user,
    requisition_rows_to_order,
)
from requisitions.services import (
    requisition_create,
    requisition_delete,
    requisition_lines_add,
    requisition_lines_change,
    requisition_update,
)
from tests.factories import BuyerFactory, ProductFactory, StaffFactory
from tests.requisitions.factories import make_list

pytestmark = pytest.mark.django_db


def test_a_buyer_makes_a_list_with_lines_and_its_history_says_so(buyer, products):
    requisition = make_list(buyer, (products[0], 3), (products[1], 1))

    assert requisition.company_id == buyer.company_id
    assert {(line.product_id, line.quantity) for line in requisition.lines.all()} == {
        (products[0].pk, 3),
        (products[1].pk, 1),
    }
    event = RequisitionEvent.objects.get(requisition=requisition)
    assert event.kind == "created" and event.actor == buyer


def test_the_same_form_twice_makes_one_list(buyer):
    key = uuid.uuid4()
    first = requisition_create(owner=buyer, name="Kitchen", submission_key=key)

    with pytest.raises(AlreadySubmitted) as refused:
        requisition_create(owner=buyer, name="Kitchen", submission_key=key)

    assert refused.value.result == str(first.pk)
    assert RequisitionList.objects.count() == 1


def test_a_name_is_used_once_per_owner_but_colleagues_may_reuse_it(buyer):
    make_list(buyer, name="Kitchen")
    colleague = BuyerFactory(company=buyer.company)

    with pytest.raises(InvalidInput, match="already"):
        make_list(buyer, name=" Kitchen ")
    make_list(colleague, name="Kitchen")

    assert RequisitionList.objects.count() == 2


def test_staff_and_people_without_a_company_keep_no_lists():
    with pytest.raises(NotAllowed):
        requisition_create(owner=StaffFactory(), name="Mine")
    assert not RequisitionList.objects.exists()


def test_a_private_list_is_seen_by_its_owner_only(buyer):
    private = make_list(buyer, name="Private")
    colleague = BuyerFactory(company=buyer.company)
    stranger = BuyerFactory()

    assert requisition_get_for_user(user=buyer, list_id=private.pk) == private
    for other in (colleague, stranger):
        with pytest.raises(Http404):
            requisition_get_for_user(user=other, list_id=private.pk)
        assert list(requisition_list_for_user(user=other)) == []


def test_a_shared_list_is_seen_by_colleagues_and_not_by_another_company(buyer, products):
    shared = make_list(buyer, (products[0], 2), name="Shared", shared=True)
    colleague = BuyerFactory(company=buyer.company)

    assert requisition_get_for_user(user=colleague, list_id=shared.pk) == shared
    with pytest.raises(Http404):
        requisition_get_for_user(user=BuyerFactory(), list_id=shared.pk)
    with pytest.raises(Http404):
        requisition_rows_to_order(user=BuyerFactory(), list_id=shared.pk)


def test_only_the_owner_changes_a_shared_list_and_nothing_changes_when_refused(buyer, products):
    shared = make_list(buyer, (products[0], 2), name="Shared", shared=True)
    colleague = BuyerFactory(company=buyer.company)
    line = shared.lines.get()

    with pytest.raises(NotAllowed):
        requisition_update(
            list_id=shared.pk, actor=colleague, name="Mine", is_shared=False, seen_version=1
        )
    with pytest.raises(NotAllowed):
        requisition_lines_add(
            list_id=shared.pk, actor=colleague, lines=[LineRequest(products[1].sku, 1)]
        )
    with pytest.raises(NotAllowed):
        requisition_lines_change(
            list_id=shared.pk,
            actor=colleague,
            quantities={line.pk: 9},
            remove=set(),
            seen_version=1,
        )
    with pytest.raises(NotAllowed):
        requisition_delete(list_id=shared.pk, actor=colleague, seen_version=1)

    shared.refresh_from_db()
    assert (shared.name, shared.is_shared, shared.version) == ("Shared", True, 1)
    assert list(shared.lines.values_list("quantity", flat=True)) == [2]


def test_adding_a_product_the_list_holds_adds_the_quantities(buyer, products):
    requisition = make_list(buyer, (products[0], 2))

    requisition_lines_add(
        list_id=requisition.pk,
        actor=buyer,
        lines=[LineRequest(products[0].sku.lower(), 3), LineRequest(products[1].sku, 1)],
    )

    assert dict(requisition.lines.values_list("product_id", "quantity")) == {
        products[0].pk: 5,
        products[1].pk: 1,
    }
    requisition.refresh_from_db()
    assert requisition.version == 2


def test_a_withdrawn_or_unknown_product_is_not_added(buyer):
    requisition = make_list(buyer)
    old = ProductFactory(is_active=False)

    with pytest.raises(InvalidInput) as refused:
        requisition_lines_add(
            list_id=requisition.pk,
            actor=buyer,
            lines=[LineRequest(old.sku, 1), LineRequest("NOPE-1", 1)],
        )

    assert set(refused.value.errors) == {old.sku, "NOPE-1"}
    assert not RequisitionLine.objects.exists()


def test_a_list_holds_at_most_a_hundred_products(buyer):
    many = [ProductFactory() for _ in range(101)]
    requisition = make_list(buyer, *[(p, 1) for p in many[:100]])

    with pytest.raises(InvalidInput, match="at most 100 products"):
        requisition_lines_add(
            list_id=requisition.pk, actor=buyer, lines=[LineRequest(many[100].sku, 1)]
        )

    assert requisition.lines.count() == 100


def test_quantities_change_and_lines_come_off_against_the_version_seen(buyer, products):
    requisition = make_list(buyer, (products[0], 2), (products[1], 1))
    first, second = requisition.lines.order_by("id")

    requisition_lines_change(
        list_id=requisition.pk,
        actor=buyer,
        quantities={first.pk: 7, second.pk: 1},
        remove={second.pk},
        seen_version=1,
    )

    assert list(requisition.lines.values_list("quantity", flat=True)) == [7]
    with pytest.raises(StaleVersion):
        requisition_lines_change(
            list_id=requisition.pk,
            actor=buyer,
            quantities={first.pk: 8},
            remove=set(),
            seen_version=1,
        )
    assert list(requisition.lines.values_list("quantity", flat=True)) == [7]


def test_a_line_of_another_list_cannot_be_changed_through_mine(buyer, products):
    mine = make_list(buyer, (products[0], 2), name="Mine")
    theirs = make_list(BuyerFactory(), (products[0], 2), name="Theirs")
    their_line = theirs.lines.get()

    with pytest.raises(StaleVersion):
        requisition_lines_change(
            list_id=mine.pk,
            actor=buyer,
            quantities={their_line.pk: 99},
            remove=set(),
            seen_version=1,
        )

    their_line.refresh_from_db()
    assert their_line.quantity == 2


def test_a_quantity_beyond_the_limit_is_refused(buyer, products):
    requisition = make_list(buyer, (products[0], 2))
    line = requisition.lines.get()

    with pytest.raises(InvalidInput):
        requisition_lines_change(
            list_id=requisition.pk,
            actor=buyer,
            quantities={line.pk: 100_001},
            remove=set(),
            seen_version=1,
        )


def test_renaming_and_sharing_bump_the_version_and_write_history(buyer):
    requisition = make_list(buyer, name="Old")

    requisition = requisition_update(
        list_id=requisition.pk, actor=buyer, name="New", is_shared=True, seen_version=1
    )

    assert (requisition.name, requisition.is_shared, requisition.version) == ("New", True, 2)
    assert requisition.events.filter(kind="changed").exists()


def test_the_owner_deletes_a_list_with_its_lines(buyer, products):
    requisition = make_list(buyer, (products[0], 2))

    requisition_delete(list_id=requisition.pk, actor=buyer, seen_version=1)

    assert not RequisitionList.objects.exists() and not RequisitionLine.objects.exists()


def test_ordering_a_list_drops_products_no_longer_sold(buyer, products):
    requisition = make_list(buyer, (products[0], 2), (products[1], 5))
    products[1].is_active = False
    products[1].save()

    _list, rows, dropped = requisition_rows_to_order(user=buyer, list_id=requisition.pk)

    assert rows == [{"sku": products[0].sku, "quantity": 2}]
    assert dropped == [products[1].sku]


def test_ordering_the_checked_lines_takes_only_those(buyer, products):
    requisition = make_list(buyer, (products[0], 2), (products[1], 5))
    second = requisition.lines.get(product=products[1])

    _list, rows, _dropped = requisition_rows_to_order(
        user=buyer, list_id=requisition.pk, line_ids=[second.pk]
    )

    assert rows == [{"sku": products[1].sku, "quantity": 5}]
