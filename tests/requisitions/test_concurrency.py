import pytest

from core.domain import DomainError
from orders.services import LineRequest
from requisitions.models import RequisitionList
from requisitions.services import requisition_delete, requisition_lines_add
from tests.concurrency import run_at_once
from tests.factories import BuyerFactory, ProductFactory
from tests.requisitions.factories import make_list


@pytest.mark.django_db(transaction=True)
def test_two_tabs_adding_the_same_product_at_once_add_both_quantities():
    # given a list with a product, and the catalog open in two tabs
    buyer = BuyerFactory()
    paper = ProductFactory()
    requisition = make_list(buyer, (paper, 1))

    # when both add it at the same moment
    outcomes = run_at_once(
        *[
            lambda: requisition_lines_add(
                list_id=requisition.pk, actor=buyer, lines=[LineRequest(paper.sku, 2)]
            )
        ]
        * 2
    )

    # then neither was lost: one line, the quantities added, two changes in the history
    assert not [o for o in outcomes if isinstance(o, DomainError)]
    assert list(requisition.lines.values_list("quantity", flat=True)) == [5]
    requisition.refresh_from_db()
    assert requisition.version == 3
    assert requisition.events.filter(kind="lines_added").count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_delete_and_an_addition_at_once_yield_one_outcome():
    buyer = BuyerFactory()
    paper, pens = ProductFactory(), ProductFactory()
    requisition = make_list(buyer, (paper, 1))

    outcomes = run_at_once(
        lambda: requisition_delete(list_id=requisition.pk, actor=buyer, seen_version=1),
        lambda: requisition_lines_add(
            list_id=requisition.pk, actor=buyer, lines=[LineRequest(pens.sku, 1)]
        ),
    )

    # the delete went first and the addition found nothing, or the other way round
    survived = RequisitionList.objects.filter(pk=requisition.pk).exists()
    if survived:
        assert isinstance(outcomes[0], DomainError)  # the version it saw had changed
        assert requisition.lines.count() == 2
    else:
        assert isinstance(outcomes[1], DomainError)
        assert "deleted meanwhile" in str(outcomes[1])
