"""The question an order asks when it is placed, edited or cancelled: who must approve it?

Approvals sit above orders: their steps point at orders, and approvers'
decisions move orders through ``orders.services``. Placing and editing an
order still need the answer, so orders state the question here and the
approvals app answers it: it installs its router when Django starts
(``ApprovalsConfig.ready``). Imports run one way; without a router every order
is approved at once.

The order services call the router while they hold the order's row lock
(company -> quote -> order -> order lines -> approval steps):

- ``plan`` reads what the order needs and writes nothing, so the status is
  known before the order is saved; ``spend`` is the month's spend before the
  order when a budget or a limit applies, read under its lock by the order
  services (``orders.services.spend``); without it the router reads it itself
  (a preview);
- ``open`` writes the steps of that plan and tells whoever decides first;
- ``void`` ends the decisions of an order that changed (an edit routes again);
- ``close`` ends the steps of an order nobody needs to decide any more;
  both answer who had it waiting in their queue, whom the order services tell;
- ``approvals`` reads the steps of orders for their documents (``orders.documents``).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from django.utils.translation import gettext as _

from .models import Order, OrderStatus

if TYPE_CHECKING:
    from companies.models import User

    from .documents import ApprovalEntry
    from .services.spend import Spend


@dataclass(frozen=True)
class Route:
    """Routing's answer for one order: its status, a line for its history, and the
    steps it needs in the router's own terms."""

    status: str
    comment: str
    steps: Any = ()
    # Why the order needs approval whatever its total: over a budget or a limit ("" if not).
    over_budget: str = ""

    @property
    def needs_approval(self) -> bool:
        return self.status != OrderStatus.APPROVED


class Router(Protocol):
    def plan(self, *, order: Order, spend: "Spend | None" = None) -> Route: ...

    def open(self, *, order: Order, route: Route, actor) -> None: ...

    def void(self, *, order: Order, actor) -> "list[User]": ...

    def close(self, *, order: Order, actor) -> "list[User]": ...

    def approvals(self, *, orders: Sequence[Order]) -> "dict[int, tuple[ApprovalEntry, ...]]": ...


class ApproveAtOnce:
    """No approval anywhere: what orders do on their own."""

    def plan(self, *, order: Order, spend=None) -> Route:
        return Route(status=OrderStatus.APPROVED, comment=_("No approval needed."))

    def open(self, *, order: Order, route: Route, actor) -> None:
        pass

    def void(self, *, order: Order, actor) -> list:
        return []

    def close(self, *, order: Order, actor) -> list:
        return []

    def approvals(self, *, orders: Sequence[Order]) -> dict:
        return {}


_installed: list[Router] = [ApproveAtOnce()]


def install(router: Router) -> None:
    """Make ``router`` answer for every order (the approvals app calls this once)."""
    _installed[0] = router


def router() -> Router:
    return _installed[0]
