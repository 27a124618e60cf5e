import pytest
from django.urls import reverse

from approvals.models import StepStatus
from orders.models import OrderStatus
from tests.approvals.factories import source_example

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _waiting():
    world = source_example()
    order = world.place("2500.00")
    return world, order, order.approval_steps.get(status=StepStatus.OPEN)


def test_the_queue_has_an_approve_button_per_row_that_works_without_javascript(client):
    world, order, step = _waiting()
    client.force_login(world.approver1)

    body = client.get(reverse("approvals:queue")).content.decode()

    assert f'form="approve-{step.pk}"' in body
    assert f'id="approve-{step.pk}"' in body
    assert f'aria-label="Approve {order.number}"' in body
    response = client.post(
        reverse("approvals:decide", args=[order.number]),
        {"step": step.pk, "version": order.version, "decision": "approve"},
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.APPROVED


def test_approving_from_the_queue_with_htmx_returns_the_row_to_swap_in(client):
    world, order, step = _waiting()
    client.force_login(world.approver1)

    response = client.post(
        reverse("approvals:decide", args=[order.number]),
        {"step": step.pk, "version": order.version, "decision": "approve"},
        **HTMX,
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith("<tr")
    assert f"Order {order.number} approved." in body
    assert "<html" not in body
    order.refresh_from_db()
    assert order.status == OrderStatus.APPROVED


def test_a_stale_inline_approval_says_why_in_the_row_and_changes_nothing(client):
    world, order, step = _waiting()
    client.force_login(world.approver1)

    response = client.post(
        reverse("approvals:decide", args=[order.number]),
        {"step": step.pk, "version": order.version + 1, "decision": "approve"},
        **HTMX,
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "table-danger" in body
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_APPROVAL
    step.refresh_from_db()
    assert step.status == StepStatus.OPEN


def test_an_inline_approval_by_someone_not_eligible_is_refused(client):
    world, order, step = _waiting()
    client.force_login(world.approver2)

    response = client.post(
        reverse("approvals:decide", args=[order.number]),
        {"step": step.pk, "version": order.version, "decision": "approve"},
        **HTMX,
    )

    assert response.status_code == 403
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_APPROVAL
