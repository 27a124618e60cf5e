"""The order form's rows as the buyer types them, and an order's lines to order again."""

from dataclasses import dataclass
from decimal import Decimal

from catalog.models import Product
from catalog.pricing import Price, price_for
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
    price: Price | None = None
    line_total: Decimal | None = None
    error: str = ""


def _parse_quantity(raw: str) -> int | str:
    try:
        return int(str(raw).strip())
    except (TypeError, ValueError):
        return raw


def order_line_previews(
    *, company_id: int | None, rows: list[tuple[str, str]]
) -> tuple[list[LinePreview], Decimal]:
    """Product, the company's price today and line total of each (sku, quantity) row, and
    the sum: what placing the order would charge (``catalog.pricing``, the same product
    on several rows priced at their quantities added up, as the order merges them).

    One query for all rows. A row the service would refuse carries the
    service's own words instead of a total (``orders.services.lines``).
    """
    skus = [normal_sku(sku)[:40] for sku, _qty in rows]
    products = product_lookup_by_sku(company_id=company_id, skus=skus)
    previews = []
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
        if problem is None:
            preview.product = product
        else:
            preview.error = problem
            preview.product = product if product is not None and product.is_active else None
        previews.append(preview)
    shown = [p for p in previews if p.product is not None]
    prices = price_for(company_id=company_id, items=[(p.product, p.quantity) for p in shown])
    total = Decimal("0.00")
    for preview in shown:
        preview.price = prices[preview.product.pk]
        if preview.quantity is not None and not preview.error:
            preview.line_total = preview.price.total(preview.quantity)
            total += preview.line_total
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
