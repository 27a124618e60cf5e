"""The order form's "who will approve" preview and the outcome of placing: one planner.

At the source article's five amounts, in both modes, and over a budget: what the
preview says before placing is who the placed order waits for.
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from approvals.models import ApprovalStep
from companies.models import ApprovalMode
from orders.models import OrderStatus
from orders.services import LineRequest, order_edit, order_route_preview
from tests.approvals.factories import source_example

pytestmark = pytest.mark.django_db

AMOUNTS = ["1500.00", "2000.00", "2500.00", "3500.00", "6000.00"]


def _outcome(order) -> list[set[int]]:
    steps = ApprovalStep.objects.filter(order=order).order_by("sequence")
    return [{a.pk for a in step.approvers.all()} for step in steps]


def _preview(route) -> list[set[int]]:
    return [{a.id for a in step.approvers} for step in route.steps]


@pytest.mark.parametrize("mode", [ApprovalMode.RESPECTIVE, ApprovalMode.ESCALATING])
@pytest.mark.parametrize("amount", AMOUNTS)
def test_the_preview_names_who_the_placed_order_waits_for(mode, amount):
    example = source_example(mode)

    route = order_route_preview(buyer=example.buyer, total=Decimal(amount))
    order = example.place(amount)

    assert route.status == order.status
    assert _preview(route) == _outcome(order)
    assert route.comment == order.events.get(kind="placed").comment


@pytest.mark.parametrize(
    ("amount", "says"),
    [
        ("1500.00", ["No approval needed."]),
        ("2000.00", ["Needs approval by", "{approver1}"]),
        ("2500.00", ["Needs approval by", "{approver1}"]),
        ("3500.00", ["Needs approval by", "{approver2}"]),
        ("6000.00", ["Needs approval by", "{approver3}"]),
    ],
)
def test_the_order_form_says_who_will_approve_as_lines_change(client, amount, says):
    example = source_example()
    client.force_login(example.buyer)
    names = {f"approver{i}": a.full_name for i, a in enumerate(example.approvers, start=1)}

    response = client.get(
        reverse("orders:line_preview"),
        {
            "row": "0",
            "lines-TOTAL_FORMS": "1",
            "lines-0-sku": example.unit.sku,
            "lines-0-quantity": str(int(Decimal(amount))),
        },
    )

    html = response.content.decode()
    assert 'id="approval-preview"' in html
    for text in says:
        assert text.format(**names) in html
    shown = {name for key, name in names.items() if name in html}
    order = example.place(amount)
    assert shown == {
        a.full_name
        for step in ApprovalStep.objects.filter(order=order)
        for a in step.approvers.all()
    }


def test_the_chain_is_shown_in_escalating_mode(client):
    example = source_example(ApprovalMode.ESCALATING)
    client.force_login(example.buyer)

    response = client.get(
        reverse("orders:line_preview"),
        {
            "row": "0",
            "lines-TOTAL_FORMS": "1",
            "lines-0-sku": example.unit.sku,
            "lines-0-quantity": "6000",
        },
    )

    html = response.content.decode()
    assert 'data-approval="chain"' in html
    positions = [html.index(a.full_name) for a in example.approvers]
    assert positions == sorted(positions)


def test_over_budget_is_said_before_placing_and_then_happens(client):
    example = source_example()
    example.company.monthly_budget = Decimal("1000.00")
    example.company.save()
    client.force_login(example.buyer)

    response = client.get(
        reverse("orders:line_preview"),
        {
            "row": "0",
            "lines-TOTAL_FORMS": "1",
            "lines-0-sku": example.unit.sku,
            "lines-0-quantity": "1500",
        },
    )
    route = order_route_preview(buyer=example.buyer, total=Decimal("1500.00"))
    order = example.place("1500.00")

    html = response.content.decode()
    assert 'data-approval="over-budget"' in html
    assert "budget by $500.00" in html
    assert order.status == OrderStatus.PENDING_APPROVAL
    assert _preview(route) == _outcome(order) == [{example.approver3.pk}]


def test_the_preview_asks_a_constant_number_of_queries(client, django_assert_max_num_queries):
    example = source_example()
    client.force_login(example.buyer)
    query = {"row": "0", "lines-TOTAL_FORMS": "3"}
    for i in range(3):
        query[f"lines-{i}-sku"] = example.unit.sku if i == 0 else example.cent.sku
        query[f"lines-{i}-quantity"] = "2500"

    with django_assert_max_num_queries(8):
        response = client.get(reverse("orders:line_preview"), query)

    assert response.status_code == 200


def test_the_edit_page_preview_does_not_count_the_order_twice_against_the_budget(client):
    # given a budget of $3,000 and a $1,500 order of this month
    example = source_example()
    example.company.monthly_budget = Decimal("3000.00")
    example.company.save()
    order = example.place("1500.00")
    client.force_login(example.buyer)

    # when its edit page previews it at $2,000 (the month: $2,000, within the budget)
    response = client.get(
        reverse("orders:line_preview"),
        {
            "row": "0",
            "editing": order.number,
            "lines-TOTAL_FORMS": "1",
            "lines-0-sku": example.unit.sku,
            "lines-0-quantity": "2000",
        },
    )
    order = order_edit(
        order_id=order.pk,
        actor=example.buyer,
        lines=[LineRequest(sku=example.unit.sku, quantity=2000)],
        seen_version=order.version,
    )

    # then it says Alice decides, as she then does, and not that it is over budget
    html = response.content.decode()
    assert 'data-approval="over-budget"' not in html
    assert example.approver1.full_name in html
    open_steps = ApprovalStep.objects.filter(order=order, status="open")
    assert [set(s.approvers.all()) for s in open_steps] == [{example.approver1}]


def test_another_persons_order_is_not_found_as_the_order_being_edited(client, other_company_buyer):
    example = source_example()
    order = example.place("1500.00")
    client.force_login(other_company_buyer)

    response = client.get(
        reverse("orders:line_preview"),
        {"row": "0", "editing": order.number, "lines-TOTAL_FORMS": "1"},
    )

    assert response.status_code == 404
