"""Use cases that change orders. Lock order: see ``core.domain``."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# A module import: approvals' services import this module too (to lock and move orders).
from approvals import services as approval_services
from catalog.models import Product
from companies.models import Company, User
from companies.services import company_lock_for_ordering
from core.domain import InvalidInput, InvalidState, NotAllowed, StaleVersion

from .models import (
    MAX_LINE_QUANTITY,
    Order,
    OrderEvent,
    OrderEventKind,
    OrderLine,
    OrderStatus,
    order_number,
)

CENT = Decimal("0.01")
# What the total columns hold (12 digits, 2 of them decimals).
MAX_ORDER_TOTAL = Decimal("9999999999.99")
QUOTED_ORDER_IS_FIXED = gettext_lazy(
    "Order %(number)s carries the prices agreed in a quote. Cancel it and request a new "
    "quote to change it."
)


@dataclass(frozen=True)
class LineRequest:
    """A line as the buyer asked for it: which product and how many."""

    sku: str
    quantity: int


@dataclass(frozen=True)
class PricedLine:
    product: Product
    quantity: int
    unit_price: Decimal

    @property
    def line_total(self) -> Decimal:
        return (self.unit_price * self.quantity).quantize(CENT)


def merge_line_requests(lines: Sequence[LineRequest]) -> list[LineRequest]:
    """The same product twice becomes one line with the quantities added."""
    merged: dict[str, int] = {}
    for line in lines:
        sku = line.sku.strip().upper()
        merged[sku] = merged.get(sku, 0) + line.quantity
    return [LineRequest(sku=sku, quantity=qty) for sku, qty in merged.items()]


def order_lines_price(*, lines: Sequence[LineRequest]) -> list[PricedLine]:
    """Price lines from the catalog. Rule: only active products, 1..100,000 each.

    Prices never come from the request; a posted price has nowhere to go.
    """
    merged = merge_line_requests(lines)
    if not merged:
        raise InvalidInput(_("An order needs at least one line."))
    errors: dict[str | None, list[str]] = {}
    for line in merged:
        if not 1 <= line.quantity <= MAX_LINE_QUANTITY:
            errors.setdefault(line.sku, []).append(
                _("Quantity must be between 1 and %(max)s.") % {"max": f"{MAX_LINE_QUANTITY:,}"}
            )
    products = {
        p.sku.upper(): p
        for p in Product.objects.filter(sku__in=[line.sku for line in merged], is_active=True)
    }
    for line in merged:
        if line.sku not in products:
            errors.setdefault(line.sku, []).append(
                _("%(sku)s is not a product you can order.") % {"sku": line.sku}
            )
    if errors:
        raise InvalidInput(_("Some lines cannot be ordered."), errors=errors)
    return [
        PricedLine(
            product=products[line.sku],
            quantity=line.quantity,
            unit_price=products[line.sku].unit_price,
        )
        for line in merged
    ]


def order_total(priced: Sequence[PricedLine]) -> Decimal:
    """The sum of the lines. Rule: an order fits its total column."""
    total = sum((line.line_total for line in priced), Decimal("0.00"))
    if total > MAX_ORDER_TOTAL:
        raise InvalidInput(
            _("An order can be worth at most %(max)s; split it into several orders.")
            % {"max": f"{MAX_ORDER_TOTAL:,.2f}"}
        )
    return total


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


def _locked_order(order_id: int, seen_version: int | None) -> Order:
    order = Order.objects.select_for_update().get(pk=order_id)
    if seen_version is not None and order.version != seen_version:
        raise StaleVersion(
            _("Order %(number)s changed while you were looking at it. Please check it again.")
            % {"number": order.number}
        )
    return order


@transaction.atomic
def order_place(
    *, buyer: User, lines: Sequence[LineRequest], priced: Sequence[PricedLine] | None = None
) -> Order:
    """Place an order at catalog prices (or at ``priced`` lines agreed in a quote).

    Rule: only an active contact of an active company orders; routing decides
    whether it waits for approval.
    """
    company = _check_buyer(buyer)
    if priced is None:
        priced = order_lines_price(lines=lines)
    elif not priced:
        raise InvalidInput(_("An order needs at least one line."))
    total = order_total(priced)
    order = Order.objects.create(
        company=company,
        placed_by=buyer,
        status=OrderStatus.PENDING_APPROVAL,
        total=total,
    )
    order.number = order_number(order.pk)
    _write_lines(order, priced)
    outcome = approval_services.approval_route(order=order, actor=buyer)
    order.status = outcome.status
    order.save(update_fields=["number", "status"])
    OrderEvent.objects.create(
        order=order,
        kind=OrderEventKind.PLACED,
        actor=buyer,
        from_status="",
        to_status=order.status,
        comment=outcome.comment,
    )
    return order


@transaction.atomic
def order_edit(
    *, order_id: int, actor: User, lines: Sequence[LineRequest], seen_version: int
) -> Order:
    """Replace an order's lines at today's catalog prices and route it again.

    Rule: only the buyer who placed it, only while it is waiting or approved,
    and not an order placed from a quote (its prices were negotiated, not
    read from the catalog); decisions already taken are void because the
    order is no longer the same.
    """
    _check_buyer(actor)  # the company first: see the lock order
    order = _locked_order(order_id, seen_version)
    if order.placed_by_id != actor.pk:
        raise NotAllowed(_("Only the person who placed an order can change it."))
    if not order.is_editable:
        raise InvalidState(
            _("Order %(number)s is %(status)s and can no longer be changed.")
            % {"number": order.number, "status": order.get_status_display().lower()}
        )
    if Order.objects.filter(pk=order.pk, quote__isnull=False).exists():
        raise InvalidState(QUOTED_ORDER_IS_FIXED % {"number": order.number})
    priced = order_lines_price(lines=lines)
    previous = order.status
    order.lines.all().delete()
    _write_lines(order, priced)
    order.total = order_total(priced)
    # Bumped before routing so what approvals announces carries the new version.
    order.version += 1
    approval_services.approval_steps_void(order=order, actor=actor)
    outcome = approval_services.approval_route(order=order, actor=actor)
    order.status = outcome.status
    order.save(update_fields=["total", "status", "version", "updated_at"])
    OrderEvent.objects.create(
        order=order,
        kind=OrderEventKind.EDITED,
        actor=actor,
        from_status=previous,
        to_status=order.status,
        comment=outcome.comment,
    )
    return order


@transaction.atomic
def order_cancel(*, order_id: int, actor: User, seen_version: int, comment: str = "") -> Order:
    """Cancel an order (the buyer's "delete"). It stays, with its history.

    Rule: only the buyer who placed it, only while it is waiting or approved.
    """
    order = _locked_order(order_id, seen_version)
    if order.placed_by_id != actor.pk:
        raise NotAllowed(_("Only the person who placed an order can cancel it."))
    if not order.can_move_to(OrderStatus.CANCELLED):
        raise InvalidState(
            _("Order %(number)s is %(status)s and can no longer be cancelled.")
            % {"number": order.number, "status": order.get_status_display().lower()}
        )
    previous = order.status
    approval_services.approval_steps_close(order=order, actor=actor)
    order.status = OrderStatus.CANCELLED
    order.version += 1
    order.save(update_fields=["status", "version", "updated_at"])
    OrderEvent.objects.create(
        order=order,
        kind=OrderEventKind.CANCELLED,
        actor=actor,
        from_status=previous,
        to_status=order.status,
        comment=comment,
    )
    return order


@transaction.atomic
def order_fulfil(*, order_id: int, actor: User, seen_version: int | None = None) -> Order:
    """Mark an approved order fulfilled. Rule: site admins only, approved orders only."""
    if not actor.is_staff:
        raise NotAllowed(_("Only site admins mark orders fulfilled."))
    order = _locked_order(order_id, seen_version)
    if order.status != OrderStatus.APPROVED:
        raise InvalidState(
            _("Order %(number)s is not approved and cannot be fulfilled.")
            % {"number": order.number}
        )
    order.status = OrderStatus.FULFILLED
    order.version += 1
    order.save(update_fields=["status", "version", "updated_at"])
    OrderEvent.objects.create(
        order=order,
        kind=OrderEventKind.FULFILLED,
        actor=actor,
        from_status=OrderStatus.APPROVED,
        to_status=order.status,
    )
    return order


def order_lock(*, order_id: int, seen_version: int | None = None) -> Order:
    """Lock an order's row for the caller's transaction; check the version the person saw.

    For other apps' services that change an order through this module (the
    lock order puts the order before its lines and approval steps).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("order_lock needs the caller's transaction.")
    return _locked_order(order_id, seen_version)


def order_apply_approval(
    *, order: Order, actor: User | None, status: str, kind: str, comment: str = ""
) -> OrderEvent:
    """Record an approval outcome on a locked order: status, version, event.

    Rule: only the moves in ``ORDER_MOVES``; every decision bumps the version,
    even one that leaves the status as it was (a step of a chain), so a page
    showing the order before it is stale afterwards.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("order_apply_approval needs the caller's transaction.")
    if not order.can_move_to(status):
        raise InvalidState(
            _("Order %(number)s is %(status)s and can no longer be decided.")
            % {"number": order.number, "status": order.get_status_display().lower()}
        )
    previous = order.status
    order.status = status
    order.version += 1
    order.save(update_fields=["status", "version", "updated_at"])
    return OrderEvent.objects.create(
        order=order,
        kind=kind,
        actor=actor,
        from_status=previous,
        to_status=status,
        comment=comment,
    )
