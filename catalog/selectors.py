from collections.abc import Iterable

from django.db.models import QuerySet

from .models import Product, is_plausible_sku


def product_list_active() -> QuerySet[Product]:
    """Products a buyer may order, by name."""
    return Product.objects.filter(is_active=True).order_by("name", "sku")


def _askable(skus: Iterable[str]) -> set[str]:
    """The SKUs worth asking the database for: what a person typed, cleaned; a text no
    product can have (too long, control characters) is simply not found."""
    wanted = {s.strip().upper() for s in skus if isinstance(s, str)}
    return {s for s in wanted if is_plausible_sku(s)}


def product_map_by_sku(*, skus: Iterable[str]) -> dict[str, Product]:
    """Active products keyed by upper-case SKU, in one query."""
    wanted = _askable(skus)
    if not wanted:
        return {}
    return {p.sku.upper(): p for p in Product.objects.filter(sku__in=wanted, is_active=True)}


def product_lookup_by_sku(*, skus: Iterable[str]) -> dict[str, Product]:
    """Products keyed by upper-case SKU, withdrawn ones too (to say so), in one query."""
    wanted = _askable(skus)
    if not wanted:
        return {}
    return {p.sku.upper(): p for p in Product.objects.filter(sku__in=wanted)}
