"""The order form's rows as the buyer types them, and an order's lines to order again."""

from dataclasses import dataclass
from decimal import Decimal

from catalog.models import Product
from catalog.selectors import product_lookup_by_sku
from companies.models import User

from ..services.lines import normal_sku, product_problem, quantity_problem
from .access import order_get_for_user


@dataclass
class LinePreview:
    """One quick-order row as the form shows it while the buyer types."""

    sku: str
    quantity: int | None = None
    product: Product | None = None
    line_total: Decimal | None = None
    error: str = ""


def _parse_quantity(raw: str) -> int | str:
    try:
        return int(str(raw).strip())
    except (TypeError, ValueError):
        return raw


def order_line_previews(*, rows: list[tuple[str, str]]) -> tuple[list[LinePreview], Decimal]:
    """Product, today's price and line total of each (sku, quantity) row, and the sum.

    One query for all rows. A row the service would refuse carries the
    service's own words instead of a total (``orders.services.lines``).
    """
    skus = [normal_sku(sku)[:40] for sku, _qty in rows]
    products = product_lookup_by_sku(skus=skus)
    previews = []
    total = Decimal("0.00")
    for sku, (_sku, raw_quantity) in zip(skus, rows, strict=True):
        preview = LinePreview(sku=sku)
        raw_quantity = (raw_quantity or "").strip()
        if not sku:
            previews.append(preview)
            continue
        product = products.get(sku)
        problem = product_problem(sku, product)
        if problem is None and raw_quantity:
            quantity = _parse_quantity(raw_quantity)
            problem = quantity_problem(quantity)
            if problem is None:
                preview.quantity = quantity
                preview.line_total = product.unit_price * quantity
                total += preview.line_total
        if problem is None:
            preview.product = product
        else:
            preview.error = problem
            preview.product = product if product is not None and product.is_active else None
        previews.append(preview)
    return previews, total


def order_lines_to_repeat(*, user: User, number: str) -> tuple[list[dict], list[str]]:
    """An order's lines for a new order: (rows of sku and quantity, SKUs no longer sold).

    Only the SKU and quantity are carried over; prices are today's catalog's.
    """
    order = order_get_for_user(user=user, number=number)
    rows, dropped = [], []
    for line in order.lines.all():
        if line.product.is_active:
            rows.append({"sku": line.product.sku, "quantity": line.quantity})
        else:
            dropped.append(line.product.sku)
    return rows, dropped
