"""The order list as CSV: each row rendered from the order's document, as the export
reads it (its lines counted in the database, not read), one query per chunk of rows
(``core.exports``)."""

from collections.abc import Iterator

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from core.exports import keyset_rows

from .documents import EXPORT_FIELDS, OrderDocument, order_export_document
from .models import Order, OrderLine


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


def order_export_row(document: OrderDocument) -> tuple:
    """One order's row of the CSV (``order_export_header``), from its document."""
    header = document.header
    return (
        document.number,
        document.company.name,
        document.placed_by.full_name,
        document.placed_by.email,
        document.placed_at,
        document.status_label,
        document.line_count,
        document.total,
        document.currency,
        document.quote_number,
        document.updated_at,
        header.po_reference,
        header.delivery_to,
        header.delivery_date,
        header.cost_centre,
        header.note_to_seller,
    )


def order_export_rows(*, orders: QuerySet[Order]) -> Iterator[tuple]:
    """The rows of an order list's CSV, in the list's order: one query per chunk of rows.

    ``orders``: the list as the page shows it (the person's orders, filtered). Each row
    is the order's document as the export reads it: its lines counted, not read.
    """
    rows = keyset_rows(orders.annotate(line_count=_line_count()), fields=EXPORT_FIELDS)
    for row in rows:
        yield order_export_row(order_export_document(row))
