"""The rules for the lines a buyer asks for, in an order or a quote: one home, one wording.

- A SKU names an active product the buyer's company may see (``catalog.pricing``);
  case and spaces around it do not matter. An unknown SKU and a withdrawn product
  are told apart.
- A quantity is a whole number from 1 to 100,000 on each line; the same product
  twice becomes one line with the quantities added, and the sum keeps the limit.
- At least one line, at most 100 different products.

Forms only read the shape of what was typed (a text, a number) and hand it
here; the order form's live preview asks the same questions of each row, so
the buyer sees the words the service would use.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.utils.translation import gettext as _

from catalog.models import Product
from catalog.pricing import price_for
from catalog.selectors import product_lookup_by_sku
from core.domain import InvalidInput
from core.money import CENT

from ..models import MAX_LINE_QUANTITY

MAX_LINES = 100
# What the total columns hold (12 digits, 2 of them decimals).
MAX_ORDER_TOTAL = Decimal("9999999999.99")


class AskedLine(Protocol):
    sku: str
    quantity: int


@dataclass(frozen=True)
class LineRequest:
    """A line as the buyer asked for it: which product and how many."""

    sku: str
    quantity: int


@dataclass(frozen=True)
class CheckedLine:
    """Lines of one product, merged: the product, the quantity, and the lines as asked."""

    sku: str
    product: Product
    quantity: int
    asked: tuple[AskedLine, ...]


@dataclass(frozen=True)
class PricedLine:
    product: Product
    quantity: int
    unit_price: Decimal

    @property
    def line_total(self) -> Decimal:
        return (self.unit_price * self.quantity).quantize(CENT)


def normal_sku(sku: str | None) -> str:
    return (sku or "").strip().upper()


def quantity_problem(quantity) -> str | None:
    """Why a quantity cannot be on a line, or None: the one check of the bound, used by
    the services of orders, quotes and lists, the order form's preview, the paste and
    the list forms (``orders.forms.QuantityField``)."""
    whole = isinstance(quantity, int) and not isinstance(quantity, bool)
    if not whole or not 1 <= quantity <= MAX_LINE_QUANTITY:
        return _("Quantity must be a whole number from 1 to %(max)s.") % {
            "max": f"{MAX_LINE_QUANTITY:,}"
        }
    return None


def quantity_sum_problem(sku: str, quantity: int) -> str | None:
    """Why the quantities of one product added up (lines merged, a list's line added to)
    cannot be one line, or None."""
    if quantity > MAX_LINE_QUANTITY:
        return _("%(sku)s: at most %(max)s in all.") % {"sku": sku, "max": f"{MAX_LINE_QUANTITY:,}"}
    return None


def product_problem(sku: str, product: Product | None) -> str | None:
    """Why a SKU cannot be ordered (``product``: what the catalog has under it), or None."""
    if product is None:
        return _("No product has the SKU %(sku)s.") % {"sku": sku or "?"}
    if not product.is_active:
        return _("%(sku)s is no longer sold.") % {"sku": sku}
    return None


def lines_check(*, company_id: int, lines: Iterable[AskedLine]) -> list[CheckedLine]:
    """Check a buyer's lines against the catalog their company sees; merge the same product.

    Rule: see this module's docstring. Raises ``InvalidInput`` with the
    messages keyed by SKU (``None`` for the whole list). One query.
    """
    merged: dict[str, list] = {}
    errors: dict[str | None, list[str]] = {}
    for line in lines:
        sku = normal_sku(line.sku)
        entry = merged.setdefault(sku, [0, []])
        entry[1].append(line)
        if (problem := quantity_problem(line.quantity)) is not None:
            if problem not in errors.get(sku, []):
                errors.setdefault(sku, []).append(problem)
        else:
            entry[0] += line.quantity
    if not merged:
        raise InvalidInput(_("Add at least one product."))
    if len(merged) > MAX_LINES:
        raise InvalidInput(
            _("At most %(max)s different products at once; split the list.") % {"max": MAX_LINES}
        )
    for sku, (quantity, _asked) in merged.items():
        if sku not in errors and (problem := quantity_sum_problem(sku, quantity)) is not None:
            errors.setdefault(sku, []).append(problem)
    products = product_lookup_by_sku(company_id=company_id, skus=list(merged))
    for sku in merged:
        if (problem := product_problem(sku, products.get(sku))) is not None:
            errors.setdefault(sku, []).append(problem)
    if errors:
        raise InvalidInput(_("Some lines need a look; see the marked rows."), errors=errors)
    return [
        CheckedLine(sku=sku, product=products[sku], quantity=quantity, asked=tuple(asked))
        for sku, (quantity, asked) in merged.items()
    ]


def lines_price(*, company_id: int, lines: Sequence[AskedLine]) -> list[PricedLine]:
    """Price lines at what the company pays today, from the one price door
    (``catalog.pricing``). Rule: ``lines_check``; prices never come from the request
    (a posted price has nowhere to go)."""
    checked = lines_check(company_id=company_id, lines=lines)
    prices = price_for(company_id=company_id, items=[(c.product, c.quantity) for c in checked])
    return [
        PricedLine(
            product=line.product,
            quantity=line.quantity,
            unit_price=prices[line.product.pk].unit_price,
        )
        for line in checked
    ]


def lines_total(priced: Sequence[PricedLine]) -> Decimal:
    """The sum of the lines. Rule: an order fits its total column."""
    total = sum((line.line_total for line in priced), Decimal("0.00"))
    if total > MAX_ORDER_TOTAL:
        raise InvalidInput(
            _("An order can be worth at most %(max)s; split it into several orders.")
            % {"max": f"{MAX_ORDER_TOTAL:,.2f}"}
        )
    return total
