"""The one door for prices and visibility: what a company pays for products, on a day,
at the quantities it asks for, and which products it may see.

Every price a buyer sees or pays comes through here — the order form and its
live preview, orders when they are placed or edited, requisition lists, the
catalog, quotes (the catalog price, the requested totals, an acceptance as
asked), the API, the exports and webhooks. Nothing else reads a product's
``unit_price`` for a buyer (``tests/catalog/test_price_door.py`` scans the
project for it). An order keeps the prices it was placed at on its lines; a
quote's agreed prices are its own.

Rules:

- ``price_for(company_id=..., items=[(product, quantity), ...], on=day)`` answers
  a ``Price`` per product: its unit price and where it comes from. The items
  are one basket (an order, a quote, a list, a page): the same product twice
  is priced at its quantities added up, as an order merges it into one line; a
  row with no quantity yet adds none, and a product is asked for at 1 at least.
- The price is the list price (``Product.unit_price``, source ``"list"``) unless
  a ``CatalogRule`` prices the product for that company: the rules are asked in
  the order they were added, and the first to price a product decides. None is
  added today; contract price lists (per company or group, with quantity breaks
  and validity dates) will be one.
- No company (a site admin browsing the catalog, a file read without a buyer):
  the list price.
- Many products at once: a page, a form asks once (``price_for``); many
  baskets of many companies at once (a page of quotes, an export chunk) ask
  once too (``price_for_baskets``). With list prices it costs no query: the
  products carry their price.
- ``products_visible_to(company_id=...)``: the products a company may see and
  order: every active product, less what a rule hides from that company.
  ``withdrawn=True`` adds the withdrawn products of the same set, so that a SKU
  can be told "no longer sold" rather than unknown.
"""

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.money import CENT

from .models import Product

LIST_PRICE = "list"


@dataclass(frozen=True)
class Price:
    """What a company pays for one unit of a product, and where that comes from.

    ``source``: a short code (``"list"``; a rule names its own); ``label``: the
    same for people ("List price", later "Contract price, Acme 2027, from 50 units").
    """

    unit_price: Decimal
    source: str = LIST_PRICE
    label: str = _("List price")

    def total(self, quantity: int) -> Decimal:
        return (self.unit_price * quantity).quantize(CENT)


@dataclass(frozen=True)
class PriceItem:
    """One product asked for: how many of it (all lines of it added up)."""

    product: Product
    quantity: int


@dataclass(frozen=True)
class Basket:
    """What one company asks prices for at once (an order, a quote, a list, a page): each
    product once, at its quantities added up."""

    company_id: int | None
    items: tuple[PriceItem, ...]

    @classmethod
    def of(cls, company_id: int | None, items: Iterable[tuple[Product, int | None]]) -> "Basket":
        products: dict[int, Product] = {}
        quantities: dict[int, int] = {}
        for product, quantity in items:
            products[product.pk] = product
            whole = isinstance(quantity, int) and not isinstance(quantity, bool) and quantity > 0
            quantities[product.pk] = quantities.get(product.pk, 0) + (quantity if whole else 0)
        return cls(
            company_id, tuple(PriceItem(products[pk], max(1, quantities[pk])) for pk in products)
        )


class CatalogRule:
    """A way a company's terms differ from the catalog: other prices, fewer products.

    Subclasses answer only for what they change; the defaults change nothing.
    """

    def prices(
        self, *, baskets: Mapping[Hashable, Basket], on: date
    ) -> Mapping[Hashable, Mapping[int, Price]]:
        """Prices this rule decides, per basket and product id; one query for all of
        ``baskets`` at most."""
        return {}

    def visible(self, *, company_id: int | None, products: QuerySet[Product]) -> QuerySet[Product]:
        """``products`` narrowed to what the company may see."""
        return products


_rules: list[CatalogRule] = []


def catalog_rule_add(rule: CatalogRule) -> Callable[[], None]:
    """Add a rule after the ones there are; returns what takes it away again."""
    _rules.append(rule)
    return lambda: _rules.remove(rule)


def price_for_baskets(
    *, baskets: Mapping[Hashable, Basket], on: date | None = None
) -> dict[Hashable, dict[int, Price]]:
    """Prices of several baskets at once (a page of quotes, an export chunk across
    companies): per basket key, per product id. Rule: see the module docstring."""
    on = on or timezone.localdate()
    decided: dict[Hashable, dict[int, Price]] = {key: {} for key in baskets}
    for rule in _rules:
        still_open = {
            key: Basket(basket.company_id, rest)
            for key, basket in baskets.items()
            if (rest := tuple(i for i in basket.items if i.product.pk not in decided[key]))
        }
        if not still_open:
            break
        for key, prices in rule.prices(baskets=still_open, on=on).items():
            asked = {i.product.pk for i in still_open[key].items} if key in still_open else ()
            for product_id, price in prices.items():
                if product_id in asked:
                    decided[key].setdefault(product_id, price)
    for key, basket in baskets.items():
        for item in basket.items:
            decided[key].setdefault(item.product.pk, Price(item.product.unit_price))
    return decided


def price_for(
    *,
    company_id: int | None,
    items: Iterable[tuple[Product, int | None]],
    on: date | None = None,
) -> dict[int, Price]:
    """What ``company_id`` pays for each product of ``items`` (product, quantity) on ``on``
    (today by default), by product id. Rule: see the module docstring."""
    return price_for_baskets(baskets={None: Basket.of(company_id, items)}, on=on)[None]


def products_visible_to(*, company_id: int | None, withdrawn: bool = False) -> QuerySet[Product]:
    """The products a company may see and order (``withdrawn``: and those of them no longer
    sold). Rule: see the module docstring."""
    products = Product.objects.all() if withdrawn else Product.objects.filter(is_active=True)
    for rule in _rules:
        products = rule.visible(company_id=company_id, products=products)
    return products
