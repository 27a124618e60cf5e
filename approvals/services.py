"""Approval routing: which steps an order needs before it is approved.

Orders call these three functions; the rules of tiers and modes live here.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from companies.models import User
from orders.models import Order, OrderStatus


@dataclass(frozen=True)
class RoutingOutcome:
    status: str
    comment: str


def approval_route(*, order: Order, actor: User) -> RoutingOutcome:
    """Create the approval steps an order needs; say which status it takes.

    The caller holds the order's row lock and saves the status.
    """
    return RoutingOutcome(status=OrderStatus.APPROVED, comment=_("No approval needed."))


def approval_steps_void(*, order: Order, actor: User) -> None:
    """The order changed: decisions taken so far no longer count."""


def approval_steps_close(*, order: Order, actor: User) -> None:
    """The order was cancelled: nobody needs to decide any more."""
