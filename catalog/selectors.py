from collections.abc import Iterable

from django.db.models import Q, QuerySet

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


SEARCH_MAX_LENGTH = 100


def product_search(*, q: str, queryset: QuerySet[Product] | None = None) -> QuerySet[Product]:
    """Products whose SKU or name holds ``q``, in any case (trigram indexes on both)."""
    qs = Product.objects.all() if queryset is None else queryset
    q = (q or "").strip()[:SEARCH_MAX_LENGTH]
    if not q:
        return qs
    return qs.filter(Q(sku__icontains=q) | Q(name__icontains=q))


def product_categories() -> list[str]:
    """The categories active products are in, by name: one query."""
    return list(
        Product.objects.filter(is_active=True)
        .exclude(category="")
        .order_by("category")
        .values_list("category", flat=True)
        .distinct()
    )


SUGGESTIONS = 8


def product_suggestions(*, q: str, limit: int = SUGGESTIONS) -> list[Product]:
    """Active products to suggest as a SKU is typed: SKUs that start with it first, then
    SKUs or names that hold it. One query; nothing for fewer than two characters."""
    q = (q or "").strip()[:SEARCH_MAX_LENGTH]
    if len(q) < 2 or not q.isprintable():
        return []
    found = list(
        product_search(q=q, queryset=Product.objects.filter(is_active=True)).order_by("sku")[:50]
    )
    upper = q.upper()
    found.sort(
        key=lambda p: (not p.sku.upper().startswith(upper), upper not in p.sku.upper(), p.sku)
    )
    return found[:limit]
