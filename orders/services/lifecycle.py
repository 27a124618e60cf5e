"""Use cases that change orders: the only writers of an order's status.

Every one follows the rhythm of ``core.transitions``: lock the order (lock
order: see ``core.domain``), check who acts, ``transition`` (the move, the
version seen, the write), then the event. Routing is asked through
``orders.routing``: the approvals app answers, orders never import it.
"""

from collections.abc import Sequence
from uuid import UUID

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from companies.models import Company, User
from companies.roles import FULFIL_ORDERS
from companies.services import company_lock_for_ordering
from core.domain import InvalidInput, InvalidState, NotAllowed
from core.submissions import submission_claim, submission_done
from core.transitions import Transition, check, initial_status, transition
from notifications import events

from .. import routing
from ..models import Channel, Order, OrderEvent, OrderEventKind, OrderLine, order_number
from .lines import AskedLine, PricedLine, lines_price, lines_total
from .spend import counted, has_caps, spend_add, spend_lock

QUOTED_ORDER_IS_FIXED = gettext_lazy(
    "Order %(number)s carries the prices agreed in a quote. Cancel it and request a new "
    "quote to change it."
)

# The history line each move writes.
EVENT_OF = {
    "place": OrderEventKind.PLACED,
    "edit": OrderEventKind.EDITED,
    "cancel": OrderEventKind.CANCELLED,
    "approve_step": OrderEventKind.STEP_APPROVED,
    "approve": OrderEventKind.APPROVED,
    "reject": OrderEventKind.REJECTED,
    "request_changes": OrderEventKind.CHANGES_REQUESTED,
    "reroute": OrderEventKind.REROUTED,
    "fulfil": OrderEventKind.FULFILLED,
}


def _check_buyer(buyer: User) -> Company:
    """The buyer's company, read under the lock that keeps its tiers steady."""
    if buyer.company_id is None or not buyer.is_active:
        raise NotAllowed(_("Only contact persons of a company can place orders."))
    company = company_lock_for_ordering(company_id=buyer.company_id)
    if not company.is_active:
        raise NotAllowed(_("%(company)s is inactive and cannot order.") % {"company": company})
    return company


def _write_lines(order: Order, priced: Sequence[PricedLine]) -> None:
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            product=line.product,
            quantity=line.quantity,
            unit_price=line.unit_price,
            line_total=line.line_total,
        )
        for line in priced
    )


def _snapshot(priced: Sequence[PricedLine]) -> list[dict]:
    """The lines as the event keeps them, to show later what an edit changed."""
    return [
        {
            "sku": line.product.sku,
            "name": line.product.name,
            "quantity": line.quantity,
            "unit_price": str(line.unit_price),
            "line_total": str(line.line_total),
        }
        for line in priced
    ]


def _record(
    order: Order,
    done: Transition,
    *,
    actor: User | None,
    comment: str,
    channel: str = Channel.WEB,
    lines: list[dict] | None = None,
    on_behalf_of_id: int | None = None,
) -> OrderEvent:
    event = OrderEvent.objects.create(
        order=order,
        kind=EVENT_OF[done.action],
        actor=actor,
        from_status=done.source,
        to_status=done.target,
        comment=comment,
        channel=channel,
        version=order.version,
        lines=lines,
        on_behalf_of_id=on_behalf_of_id,
    )
    events.order_webhooks(order=order, placed=False, lines=lines)
    return event


def _place(
    *,
    buyer: User,
    company: Company,
    priced: Sequence[PricedLine],
    quote_number: str,
    channel: str = Channel.WEB,
):
    order = Order(
        company=company,
        placed_by=buyer,
        total=lines_total(priced),
        quote_number=quote_number,
        created_at=timezone.now(),
    )
    router = routing.router()
    route = router.plan(order=order, spend=spend_lock(order=order) if has_caps(order) else None)
    order.status = initial_status(Order, "place", to=route.status)
    order.save()
    spend_add(order=order, amount=counted(order))
    if not order.number:  # the database drew it with the id where it can (Postgres)
        order.number = order_number(order.pk)
        order.save(update_fields=["number"])
    _write_lines(order, priced)
    router.open(order=order, route=route, actor=buyer)
    snapshot = _snapshot(priced)
    OrderEvent.objects.create(
        order=order,
        kind=OrderEventKind.PLACED,
        actor=buyer,
        from_status="",
        to_status=order.status,
        comment=route.comment,
        channel=channel,
        version=order.version,
        lines=snapshot,
    )
    events.order_webhooks(order=order, placed=True, lines=snapshot)
    return order


@transaction.atomic
def order_place(
    *,
    buyer: User,
    lines: Sequence[AskedLine],
    submission_key: UUID | None = None,
    channel: str = Channel.WEB,
) -> Order:
    """Place an order at today's catalog prices.

    Rule: only an active contact of an active company orders; the lines obey
    ``orders.services.lines``; routing decides whether it waits for approval;
    one order per submitted form (``core.submissions``).
    """
    submission_claim(key=submission_key, user=buyer)
    company = _check_buyer(buyer)
    priced = lines_price(lines=lines)
    order = _place(buyer=buyer, company=company, priced=priced, quote_number="", channel=channel)
    submission_done(key=submission_key, result=order.number)
    return order


@transaction.atomic
def order_place_at_agreed_prices(
    *, buyer: User, priced: Sequence[PricedLine], quote_number: str
) -> Order:
    """Place an order at prices agreed in a quote (the caller checked the agreement).

    Rule: as ``order_place``, and the order keeps the quote's number: its lines
    cannot be edited afterwards. The caller holds the company's lock already
    (company -> quote -> order).
    """
    company = _check_buyer(buyer)
    if not priced:
        raise InvalidInput(_("Add at least one product."))
    return _place(buyer=buyer, company=company, priced=priced, quote_number=quote_number)


def order_lock(*, order_id: int) -> Order:
    """Lock an order's row for the caller's transaction (before its lines and steps)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("order_lock needs the caller's transaction.")
    return Order.objects.select_for_update().get(pk=order_id)


@transaction.atomic
def order_edit(
    *,
    order_id: int,
    actor: User,
    lines: Sequence[AskedLine],
    seen_version: int,
    channel: str = Channel.WEB,
) -> Order:
    """Replace an order's lines at today's catalog prices and route it again.

    Rule: only the buyer who placed it, only while it is waiting or approved,
    and not an order placed from a quote (its prices were negotiated, not
    read from the catalog); decisions already taken are void because the
    order is no longer the same.
    """
    _check_buyer(actor)  # the company first: see the lock order
    order = order_lock(order_id=order_id)
    if order.placed_by_id != actor.pk:
        raise NotAllowed(_("Only the person who placed an order can change it."))
    check(order, "edit", seen_version=seen_version)
    if order.has_agreed_prices:
        raise InvalidState(QUOTED_ORDER_IS_FIXED % {"number": order.number})
    priced = lines_price(lines=lines)
    order.lines.all().delete()
    _write_lines(order, priced)
    before = counted(order)
    order.total = lines_total(priced)
    router = routing.router()
    spend = spend_lock(order=order).without(before) if has_caps(order) else None
    route = router.plan(order=order, spend=spend)
    # The version moves on before routing, so what approvers are told carries it.
    done = transition(order, "edit", to=route.status, fields=["total"])
    spend_add(order=order, amount=counted(order) - before)
    router.void(order=order, actor=actor)
    router.open(order=order, route=route, actor=actor)
    _record(
        order, done, actor=actor, comment=route.comment, channel=channel, lines=_snapshot(priced)
    )
    return order


@transaction.atomic
def order_cancel(
    *,
    order_id: int,
    actor: User,
    seen_version: int,
    comment: str = "",
    channel: str = Channel.WEB,
) -> Order:
    """Cancel an order (the buyer's "delete"). It stays, with its history.

    Rule: only the buyer who placed it, only while it is waiting or approved.
    """
    order = order_lock(order_id=order_id)
    if order.placed_by_id != actor.pk:
        raise NotAllowed(_("Only the person who placed an order can cancel it."))
    before = counted(order)
    done = transition(order, "cancel", seen_version=seen_version)
    spend_add(order=order, amount=-before)
    routing.router().close(order=order, actor=actor)
    _record(order, done, actor=actor, comment=comment, channel=channel)
    return order


@transaction.atomic
def order_fulfil(
    *, order_id: int, actor: User, seen_version: int | None = None, channel: str = Channel.WEB
) -> Order:
    """Mark an approved order fulfilled. Rule: site admins with the permission, approved
    orders only."""
    if not (actor.is_staff and actor.has_perm(FULFIL_ORDERS)):
        raise NotAllowed(_("Only site admins mark orders fulfilled."))
    order = order_lock(order_id=order_id)
    done = transition(order, "fulfil", seen_version=seen_version)
    _record(order, done, actor=actor, comment="", channel=channel)
    return order


def order_move(
    *,
    order: Order,
    action: str,
    actor: User | None,
    to: str | None = None,
    comment: str = "",
    channel: str = Channel.WEB,
    on_behalf_of_id: int | None = None,
) -> OrderEvent:
    """Move a locked order for an approval decision or a re-route, and record it.

    For approvals' services, which lock the order with ``order_lock`` and take
    their own decision first. Rule: the moves of ``ORDER_MOVES``; every
    decision moves the version on, even one that leaves the status as it was
    (a step of a chain), so a page showing the order before is stale after.
    """
    before = counted(order)
    done = transition(order, action, to=to)
    spend_add(order=order, amount=counted(order) - before)
    return _record(
        order, done, actor=actor, comment=comment, channel=channel, on_behalf_of_id=on_behalf_of_id
    )
