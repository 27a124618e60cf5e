"""Reads of requisition lists, scoped to the person: a colleague's private list, or
another company's, is not found (404)."""

from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from catalog.pricing import price_for
from companies.models import User

from .models import RequisitionLine, RequisitionList


def requisition_visible_to(*, user: User) -> QuerySet[RequisitionList]:
    """The person's own lists and their company's shared ones; none for anybody else."""
    if user.company_id is None or user.is_staff:
        return RequisitionList.objects.none()
    return RequisitionList.objects.filter(company_id=user.company_id).filter(
        Q(owner=user) | Q(is_shared=True)
    )


def requisition_list_for_user(*, user: User) -> QuerySet[RequisitionList]:
    """The lists page: own lists first, then colleagues' shared ones, with the number
    of lines and the owner, in one query."""
    return (
        requisition_visible_to(user=user)
        .select_related("owner")
        .annotate(line_count=Count("lines"))
        .order_by("name", "id")
    )


def requisition_own(*, user: User) -> QuerySet[RequisitionList]:
    """The lists a person may add to: their own."""
    return requisition_visible_to(user=user).filter(owner=user).order_by("name", "id")


def requisition_get_for_user(*, user: User, list_id: int) -> RequisitionList:
    """One list with its lines and products; 404 if missing or not the person's to see."""
    try:
        return (
            requisition_visible_to(user=user)
            .select_related("owner")
            .prefetch_related(
                Prefetch(
                    "lines",
                    queryset=RequisitionLine.objects.select_related("product").order_by(
                        "product__name", "id"
                    ),
                )
            )
            .get(pk=list_id)
        )
    except RequisitionList.DoesNotExist:
        raise Http404("No such list.") from None


def requisition_lines_priced(*, requisition: RequisitionList) -> tuple[list, Decimal]:
    """A list's lines (prefetched), each with ``price``: what the company would pay for
    it today (``catalog.pricing``, one call for the whole list; a list keeps no prices);
    those still sold with their ``line_total`` too; and the sum of those totals."""
    lines = list(requisition.lines.all())
    prices = price_for(
        company_id=requisition.company_id, items=[(line.product, line.quantity) for line in lines]
    )
    total = Decimal("0.00")
    for line in lines:
        line.price = prices[line.product_id]
        line.line_total = line.price.total(line.quantity) if line.product.is_active else None
        total += line.line_total or 0
    return lines, total


def requisition_rows_to_order(
    *, user: User, list_id: int, line_ids: list[int] | None = None
) -> tuple[RequisitionList, list[dict], list[str]]:
    """A list's lines (all, or the chosen ones) for a new order: (the list, rows of SKU
    and quantity, SKUs no longer sold and so left out). Prices are today's, on the order
    form. 404 if the list is not the person's to see."""
    requisition = requisition_get_for_user(user=user, list_id=list_id)
    chosen = set(line_ids or [])
    rows, dropped = [], []
    for line in requisition.lines.all():
        if chosen and line.pk not in chosen:
            continue
        if line.product.is_active:
            rows.append({"sku": line.product.sku, "quantity": line.quantity})
        else:
            dropped.append(line.product.sku)
    return requisition, rows, dropped
