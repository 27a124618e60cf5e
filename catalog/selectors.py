"""Reads of the catalog for the people who buy from it: every one goes through the door
of prices and visibility (``catalog.pricing``), for the company asking."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from .models import Product, is_plausible_sku
from .pricing import Price, price_for, products_visible_to


def product_list_active(*, company_id: int | None) -> QuerySet[Product]:
    """Products the company may order, by name."""
    return products_visible_to(company_id=company_id).order_by("name", "sku")


@dataclass(frozen=True)
class PricedProduct:
    product: Product
    price: Price


def product_prices(*, company_id: int | None, products: Iterable[Product]) -> list[PricedProduct]:
    """A page of products, each with the company's price for one unit (one door call)."""
    products = list(products)
    prices = price_for(company_id=company_id, items=[(p, 1) for p in products])
    return [PricedProduct(p, prices[p.pk]) for p in products]


def _askable(skus: Iterable[str]) -> set[str]:
    """The SKUs worth asking the database for: what a person typed, cleaned; a text no
    product can have (too long, control characters) is simply not found."""
    wanted = {s.strip().upper() for s in skus if isinstance(s, str)}
    return {s for s in wanted if is_plausible_sku(s)}


def product_map_by_sku(*, company_id: int | None, skus: Iterable[str]) -> dict[str, Product]:
    """Products the company may order, keyed by upper-case SKU, in one query."""
    wanted = _askable(skus)
    if not wanted:
        return {}
    products = products_visible_to(company_id=company_id).filter(sku__in=wanted)
    return {p.sku.upper(): p for p in products}


def product_lookup_by_sku(*, company_id: int | None, skus: Iterable[str]) -> dict[str, Product]:
    """Products the company may see, keyed by upper-case SKU, withdrawn ones too (to say
    so), in one query."""
    wanted = _askable(skus)
    if not wanted:
        return {}
    products = products_visible_to(company_id=company_id, withdrawn=True).filter(sku__in=wanted)
    return {p.sku.upper(): p for p in products}


SEARCH_MAX_LENGTH = 100


def product_search(*, q: str, queryset: QuerySet[Product] | None = None) -> QuerySet[Product]:
    """Products whose SKU or name holds ``q``, in any case (trigram indexes on both)."""
    qs = Product.objects.all() if queryset is None else queryset
    q = (q or "").strip()[:SEARCH_MAX_LENGTH]
    if not q:
        return qs
    return qs.filter(Q(sku__icontains=q) | Q(name__icontains=q))


def product_categories(*, company_id: int | None) -> list[str]:
    """The categories of the products the company may order, by name: one query."""
    return list(
        products_visible_to(company_id=company_id)
        .exclude(category="")
        .order_by("category")
        .values_list("category", flat=True)
        .distinct()
    )


SUGGESTIONS = 8


def product_suggestions(
    *, company_id: int | None, q: str, limit: int = SUGGESTIONS
) -> Sequence[Product]:
    """Products the company may order, to suggest as a SKU is typed: SKUs that start with
    it first, then SKUs or names that hold it. One query; nothing for fewer than two
    characters."""
    q = (q or "").strip()[:SEARCH_MAX_LENGTH]
    if len(q) < 2 or not q.isprintable():
        return []
    visible = products_visible_to(company_id=company_id)
    found = list(product_search(q=q, queryset=visible).order_by("sku")[:50])
    upper = q.upper()
    found.sort(
        key=lambda p: (not p.sku.upper().startswith(upper), upper not in p.sku.upper(), p.sku)
    )
    return found[:limit]
