from django.db.models import Prefetch, QuerySet
from django.http import Http404

from companies.models import User

from .models import Order, OrderEvent, OrderLine


def order_visible_to(*, user: User) -> QuerySet[Order]:
    """Orders a person may see: site admins all, contacts their company's."""
    qs = Order.objects.all()
    if user.is_staff:
        return qs
    if user.company_id is None:
        return qs.none()
    return qs.filter(company_id=user.company_id)


def order_list_for_user(*, user: User, mine_only: bool = False) -> QuerySet[Order]:
    """The order list: newest first, with what each row shows, in one query."""
    qs = order_visible_to(user=user).select_related("placed_by", "company")
    if mine_only:
        qs = qs.filter(placed_by=user)
    return qs.order_by("-created_at", "-id")


def order_get_for_user(*, user: User, number: str) -> Order:
    """One order with its lines and history; 404 if missing or not the person's."""
    try:
        return (
            order_visible_to(user=user)
            .select_related("placed_by", "company", "quote")
            .prefetch_related(
                Prefetch("lines", queryset=OrderLine.objects.select_related("product")),
                Prefetch("events", queryset=OrderEvent.objects.select_related("actor")),
            )
            .get(number=number)
        )
    except Order.DoesNotExist:
        raise Http404("No such order.") from None
