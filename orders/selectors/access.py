"""Which orders a person sees, and one order with what its page shows."""

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from companies.models import User
from companies.roles import OVERSEE_ORDERS
from core.converters import is_document_number

from ..models import Order, OrderEvent, OrderLine, OrderStatus


def order_visible_to(*, user: User) -> QuerySet[Order]:
    """Orders a person may see: site admins who oversee orders all, contacts their company's."""
    qs = Order.objects.all()
    if user.is_staff:
        return qs if user.has_perm(OVERSEE_ORDERS) else qs.none()
    if user.company_id is None:
        return qs.none()
    return qs.filter(company_id=user.company_id)


def order_list_for_user(*, user: User, mine_only: bool = False) -> QuerySet[Order]:
    """The order list: newest first, with what each row shows, in one query."""
    qs = order_visible_to(user=user).select_related("placed_by", "company")
    if mine_only:
        qs = qs.filter(placed_by=user)
    return qs.order_by("-created_at", "-id")


def order_get_for_user(*, user: User, number: str, details: bool = True) -> Order:
    """One order with its lines and history; 404 if missing or not the person's."""
    return order_get(number=number, among=order_visible_to(user=user), details=details)


def order_get(*, number: str, among: QuerySet[Order], details: bool = True) -> Order:
    """One order of ``among`` with its lines and history; 404 if it is not there.

    ``details=False`` leaves the lines and history to be read if they are used
    (an action that only redirects needs neither).
    """
    if not is_document_number(number):
        raise Http404("No such order.")
    orders = among.select_related("placed_by", "company")
    if details:
        orders = orders.prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.select_related("product")),
            Prefetch("events", queryset=OrderEvent.objects.select_related("actor", "on_behalf_of")),
        )
    try:
        return orders.get(number=number)
    except Order.DoesNotExist:
        raise Http404("No such order.") from None


def order_waiting_for_buyer(*, user: User, limit: int = 8) -> list[Order]:
    """The person's orders an approver sent back for changes, latest first
    (``order_changes_requested_idx``: a handful, whatever the order book)."""
    return list(
        Order.objects.filter(placed_by=user, status=OrderStatus.CHANGES_REQUESTED).order_by(
            "-updated_at", "-id"
        )[:limit]
    )


def order_recent_for_buyer(*, user: User, limit: int = 5) -> list[Order]:
    """The person's own latest orders (``order_buyer_recent_idx``)."""
    return list(order_list_for_user(user=user, mine_only=True)[:limit])
