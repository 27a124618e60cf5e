"""Use cases that change orders: the only writers of an order's status.

Every one follows the rhythm of ``core.transitions``: lock the order (lock
order: ``core.locks``), check who acts, ``transition`` (the move, the
version seen, the write), then the event. Routing is asked through
``orders.routing``: the approvals app answers, orders never import it.
"""

from collections.abc import Sequence
from copy import copy
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from companies.models import Company, User
from companies.roles import FULFIL_ORDERS
from companies.services import company_lock_for_ordering
from core.domain import InvalidInput, InvalidState, NotAllowed
from core.locks import lock_one
from core.submissions import submission_claim, submission_done
from core.transitions import Transition, check, initial_status, transition

from .. import notify, routing
from ..models import (
    BUYER,
    SITE_ADMIN,
    Channel,
    Order,
    OrderEvent,
    OrderEventKind,
    OrderLine,
    order_number,
)
from .header import (
    Header,
    HeaderRequest,
    header_changes,
    header_check,
    po_reference_check,
)
from .lines import AskedLine, PricedLine, lines_price, lines_total
from .spend import counted, has_caps, spend_add, spend_lock, spend_peek

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


def _address_asked(header: HeaderRequest) -> int | None:
    """The delivery address id a header asks for, if it can be one at all."""
    asked = header.delivery_address_id
    return asked if isinstance(asked, int) and 0 < asked < 2**63 else None


def _check_buyer(buyer: User, *, address_id: int | None = None) -> Company:
    """The buyer's company, read under the lock that keeps its tiers steady (with the
    delivery address ``address_id``, or the default, read along)."""
    if buyer.company_id is None or not buyer.is_active:
        raise NotAllowed(_("Only contact persons of a company can place orders."))
    company = company_lock_for_ordering(company_id=buyer.company_id, address_id=address_id)
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
    notify.order_moved(order=order, action=done.action, actor=actor, comment=comment, lines=lines)
    return event


def _unplaced(*, buyer: User, company: Company, total) -> Order:
    """The order as routing sees it before it is saved: placing and the preview share it."""
    return Order(company=company, placed_by=buyer, total=total, created_at=timezone.now())


def order_route_preview(*, buyer: User, total, editing: Order | None = None) -> routing.Route:
    """Who would approve an order of ``total`` placed by ``buyer`` now (or ``editing``,
    an order of theirs being changed to that total): the order form's live preview
    and an accepted quote's page.

    Rule: the very planner ``order_place`` and ``order_edit`` ask
    (``orders.routing``), on the same order as they route it, with the month's
    spend read without a lock (an edit's own amount taken out, as ``order_edit``
    does); it writes nothing.
    """
    if editing is None:
        order = _unplaced(buyer=buyer, company=buyer.company, total=total)
        return routing.router().plan(order=order)
    before = counted(editing)
    order = copy(editing)
    order.total = total
    spend = spend_peek(order=order).without(before) if has_caps(order) else None
    return routing.router().plan(order=order, spend=spend)


def _save_new(order: Order) -> None:
    """Insert the order; a PO reference another order took meanwhile is refused like any."""
    if not order.po_reference:
        order.save()
        return
    try:
        with transaction.atomic():  # a savepoint only where the constraint may bite
            order.save()
    except IntegrityError:
        po_reference_check(company_id=order.company_id, reference=order.po_reference)
        raise


def _place(
    *,
    buyer: User,
    company: Company,
    priced: Sequence[PricedLine],
    quote_number: str,
    header: Header,
    channel: str = Channel.WEB,
):
    order = _unplaced(buyer=buyer, company=company, total=lines_total(priced))
    order.quote_number = quote_number
    header.write_to(order)
    router = routing.router()
    route = router.plan(order=order, spend=spend_lock(order=order) if has_caps(order) else None)
    order.status = initial_status(Order, "place", by=BUYER, to=route.status)
    _save_new(order)
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
    notify.order_placed(order=order, lines=snapshot)
    return order


@transaction.atomic
def order_place(
    *,
    buyer: User,
    lines: Sequence[AskedLine],
    header: HeaderRequest | None = None,
    submission_key: UUID | None = None,
    channel: str = Channel.WEB,
) -> Order:
    """Place an order at the prices the buyer's company pays today (``catalog.pricing``).

    Rule: only an active contact of an active company orders; the lines obey
    ``orders.services.lines``, the header ``orders.services.header``; routing
    decides whether it waits for approval; one order per submitted form
    (``core.submissions``).
    """
    submission_claim(key=submission_key, user=buyer)
    header = header or HeaderRequest()
    company = _check_buyer(buyer, address_id=_address_asked(header))
    checked = header_check(company=company, header=header)
    order = _place(
        buyer=buyer,
        company=company,
        priced=lines_price(company_id=company.pk, lines=lines),
        quote_number="",
        header=checked,
        channel=channel,
    )
    submission_done(key=submission_key, result=order.number)
    return order


@transaction.atomic
def order_place_at_agreed_prices(
    *,
    buyer: User,
    priced: Sequence[PricedLine],
    quote_number: str,
    header: Header | None = None,
) -> Order:
    """Place an order at prices agreed in a quote (the caller checked the agreement).

    Rule: as ``order_place``, and the order keeps the quote's number: its lines
    cannot be edited afterwards. It carries the quote's header as it was asked
    for (checked when the quote was); only its PO reference is checked again, as
    an order may have taken it since. The caller holds the company's lock
    already (company -> quote -> order).
    """
    company = _check_buyer(buyer)
    if not priced:
        raise InvalidInput(_("Add at least one product."))
    header = header or Header()
    po_reference_check(company_id=company.pk, reference=header.po_reference)
    return _place(
        buyer=buyer, company=company, priced=priced, quote_number=quote_number, header=header
    )


def order_lock(*, order_id: int) -> Order:
    """Lock an order's row for the caller's transaction (before its lines and steps)."""
    return lock_one(Order.objects.filter(pk=order_id))


@transaction.atomic
def order_edit(
    *,
    order_id: int,
    actor: User,
    lines: Sequence[AskedLine],
    seen_version: int,
    header: HeaderRequest | None = None,
    channel: str = Channel.WEB,
) -> Order:
    """Replace an order's lines at the prices its company pays today (``catalog.pricing``),
    and its header when given, and route it again.

    Rule: only the buyer who placed it, only while it is waiting or approved,
    and not an order placed from a quote (its prices were negotiated, not
    read from the catalog); decisions already taken are void because the
    order is no longer the same. The header obeys ``orders.services.header``;
    what changed in it is written in the order's history.
    """
    # the company first: see the lock order
    company = _check_buyer(actor, address_id=_address_asked(header) if header else None)
    order = order_lock(order_id=order_id)
    if order.placed_by_id != actor.pk:
        raise NotAllowed(_("Only the person who placed an order can change it."))
    check(order, "edit", by=BUYER, seen_version=seen_version)
    if order.has_agreed_prices:
        raise InvalidState(QUOTED_ORDER_IS_FIXED % {"number": order.number})
    header_fields: list[str] = []
    changed: list[str] = []
    if header is not None:
        checked = header_check(company=company, header=header, order_id=order.pk)
        changed = header_changes(Header.of(order), checked)
        header_fields = checked.write_to(order)
    priced = lines_price(company_id=order.company_id, lines=lines)
    order.lines.all().delete()
    _write_lines(order, priced)
    before = counted(order)
    order.total = lines_total(priced)
    router = routing.router()
    spend = spend_lock(order=order).without(before) if has_caps(order) else None
    route = router.plan(order=order, spend=spend)
    # The version moves on before routing, so what approvers are told carries it.
    fields = ["total", *header_fields]
    if not order.po_reference:
        done = transition(order, "edit", by=BUYER, to=route.status, fields=fields)
    else:
        try:
            with transaction.atomic():  # a savepoint only where the constraint may bite
                done = transition(order, "edit", by=BUYER, to=route.status, fields=fields)
        except IntegrityError:
            po_reference_check(
                company_id=order.company_id, reference=order.po_reference, order_id=order.pk
            )
            raise
    spend_add(order=order, amount=counted(order) - before)
    # whoever had it waiting learns it left their queue before anybody is asked again
    waited = router.void(order=order, actor=actor)
    notify.order_left_queue(order=order, actor=actor, approvers=waited, reason="edited")
    router.open(order=order, route=route, actor=actor)
    comment = "\n".join([route.comment, *changed])
    _record(order, done, actor=actor, comment=comment, channel=channel, lines=_snapshot(priced))
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
    done = transition(order, "cancel", by=BUYER, seen_version=seen_version)
    spend_add(order=order, amount=-before)
    waited = routing.router().close(order=order, actor=actor)
    notify.order_left_queue(order=order, actor=actor, approvers=waited, reason="cancelled")
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
    done = transition(order, "fulfil", by=SITE_ADMIN, seen_version=seen_version)
    _record(order, done, actor=actor, comment="", channel=channel)
    return order


def order_move(
    *,
    order: Order,
    action: str,
    actor: User | None,
    by: str,
    to: str | None = None,
    comment: str = "",
    channel: str = Channel.WEB,
    on_behalf_of_id: int | None = None,
) -> OrderEvent:
    """Move a locked order for an approval decision or a re-route, and record it.

    For approvals' services, which lock the order with ``order_lock``, take their
    own decision first and say the role ``actor`` acts in (``by``). Rule: the
    moves of ``ORDER_MOVES``, by whom they list; every
    decision moves the version on, even one that leaves the status as it was
    (a step of a chain), so a page showing the order before is stale after.
    """
    before = counted(order)
    done = transition(order, action, by=by, to=to)
    spend_add(order=order, amount=counted(order) - before)
    return _record(
        order, done, actor=actor, comment=comment, channel=channel, on_behalf_of_id=on_behalf_of_id
    )
