"""The approval steps of orders, as their documents show them (``orders.documents``)."""

from collections.abc import Sequence

from django.db.models import Prefetch, QuerySet

from companies.models import User
from orders.documents import ApprovalEntry, Person, related_rows
from orders.models import Order

from .models import ApprovalStep


def steps_queryset() -> QuerySet:
    """An order's steps with their approvers and deciders, as its document reads them:
    prefetched as ``Prefetch("approval_steps", ...)`` with this, a list costs no query
    for them."""
    return (
        ApprovalStep.objects.select_related("decided_by", "decided_for")
        .prefetch_related(Prefetch("approvers", queryset=User.objects.order_by("full_name")))
        .order_by("sequence", "id")
    )


def _entry(step: ApprovalStep) -> ApprovalEntry:
    return ApprovalEntry(
        id=step.pk,
        sequence=step.sequence,
        status=step.status,
        minimum=step.minimum,
        label=step.label,
        needs_site_admin=step.needs_site_admin,
        approvers=tuple(Person.of(person) for person in step.approvers.all()),
        opened_at=step.opened_at,
        decided_by=Person.of(step.decided_by),
        decided_for=Person.of(step.decided_for),
        decided_at=step.decided_at,
        comment=step.comment,
    )


def approval_entries(*, orders: Sequence[Order]) -> dict[int, tuple[ApprovalEntry, ...]]:
    """Each order's steps in their order, by the order's id: two queries for the whole
    list, none when it was read with ``steps_queryset``."""
    steps = related_rows(orders, "approval_steps", steps_queryset, to="order")
    return {order.pk: tuple(_entry(step) for step in steps.get(order.pk, ())) for order in orders}
