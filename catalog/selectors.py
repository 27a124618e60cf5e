from collections.abc import Iterable

from django.db.models import QuerySet

from .models import Product


def product_list_active() -> QuerySet[Product]:
    """Products a buyer may order, by name."""
    return Product.objects.filter(is_active=True).order_by("name", "sku")


def product_map_by_sku(*, skus: Iterable[str]) -> dict[str, Product]:
    """Active products keyed by upper-case SKU, in one query."""
    wanted = {s.strip().upper() for s in skus if s and s.strip()}
    if not wanted:
        return {}
    return {p.sku.upper(): p for p in Product.objects.filter(sku__in=wanted, is_active=True)}


def product_lookup_by_sku(*, skus: Iterable[str]) -> dict[str, Product]:
    """Products keyed by upper-case SKU, withdrawn ones too (to say so), in one query."""
    wanted = {s.strip().upper() for s in skus if s and s.strip()}
    if not wanted:
        return {}
    return {p.sku.upper(): p for p in Product.objects.filter(sku__in=wanted)}
