"""The order list as CSV."""

from collections.abc import Iterator

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from core.exports import keyset_rows

from ..models import Order, OrderLine, OrderStatus


def _line_count():
    """Lines per order as a subquery, so an export row needs no query of its own."""
    per_order = (
        OrderLine.objects.filter(order=OuterRef("pk"))
        .order_by()
        .values("order")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(per_order, output_field=IntegerField()), 0)


# The order header's columns, as exports show them (orders and quotes alike).
HEADER_COLUMNS = ["po_reference", "delivery_to", "delivery_date", "cost_centre", "note_to_seller"]


def order_export_header() -> list[str]:
    return [
        _("Order"),
        _("Company"),
        _("Placed by"),
        _("Email"),
        _("Placed at"),
        _("Status"),
        _("Lines"),
        _("Total"),
        _("Currency"),
        _("From quote"),
        _("Updated at"),
        _("PO reference"),
        _("Deliver to"),
        _("Delivery date"),
        _("Cost centre"),
        _("Note to the seller"),
    ]


def order_export_rows(*, orders: QuerySet[Order]) -> Iterator[tuple]:
    """The rows of an order list's CSV, in the list's order: one query per chunk of rows.

    ``orders``: the list as the page shows it (the person's orders, filtered).
    """
    statuses = dict(OrderStatus.choices)
    rows = keyset_rows(
        orders.annotate(line_count=_line_count()),
        fields=[
            "number",
            "company__name",
            "placed_by__full_name",
            "placed_by__email",
            "created_at",
            "status",
            "line_count",
            "total",
            "quote_number",
            "updated_at",
            *HEADER_COLUMNS,
        ],
    )
    currency = settings.CURRENCY_CODE
    for number, company, name, email, placed, status, lines, total, quote, updated, *header in rows:
        yield (
            number,
            company,
            name,
            email,
            placed,
            str(statuses.get(status, status)),
            lines,
            total,
            currency,
            quote,
            updated,
            *header,
        )
