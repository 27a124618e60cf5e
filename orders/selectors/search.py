"""Orders (and, through ``document_search``, quotes) found by one search term."""

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from catalog.selectors import SEARCH_MAX_LENGTH, product_search
from companies.models import User

from ..models import Order, OrderLine, order_number

# The order's own text fields a search term is compared with, whole (through their
# indexes): its number, and the buyer's own PO reference.
ORDER_SEARCH_FIELDS: list[str] = ["number", "po_reference"]


def people_matching(*, q: str, company_id: int | None) -> QuerySet[User]:
    """People whose name or email holds ``q``: of one company, or all (``company_id`` None)."""
    people = User.objects.filter(Q(full_name__icontains=q) | Q(email__icontains=q))
    return people if company_id is None else people.filter(company_id=company_id)


def document_search_terms(q: str, number_format=order_number) -> list[str]:
    """What a number field may equal for a search term: as typed, in upper case, and a bare
    number as a document's number (``42`` → ``PO-000042``, by ``number_format``)."""
    q = (q or "").strip()[:SEARCH_MAX_LENGTH]
    terms = {q, q.upper()}
    if q.isdigit() and len(q) <= 9:
        terms.add(number_format(int(q)))
    return sorted(t for t in terms if t)


# Up to this many products or people matching a term, their orders are gathered by id
# through indexes; beyond, the orders are walked newest first and each is checked.
SEARCH_SPARSE = 30
SPARSE_DOCUMENTS = 2_000


@dataclass(frozen=True)
class SearchParts:
    """What a search term matches besides a document's own fields: products and people,
    as ids when few, or as a subquery when many (``dense``)."""

    terms: list[str]
    products: QuerySet | list[int]
    people: QuerySet | list[int]
    dense: bool


def search_parts(*, q: str, user: User, number_format=order_number) -> SearchParts:
    """Two bounded queries: the products (by SKU or name) and people (by name or email) a
    term matches, up to ``SEARCH_SPARSE`` of each."""
    products = product_search(q=q).order_by().values_list("pk", flat=True)
    people = people_matching(
        q=q, company_id=None if user.is_staff else user.company_id
    ).values_list("pk", flat=True)
    few_products = list(products[: SEARCH_SPARSE + 1])
    few_people = list(people.order_by()[: SEARCH_SPARSE + 1])
    dense = len(few_products) > SEARCH_SPARSE or len(few_people) > SEARCH_SPARSE
    return SearchParts(
        terms=document_search_terms(q, number_format),
        products=products if dense else few_products,
        people=people if dense else few_people,
        dense=dense,
    )


def document_search(
    *, queryset, q: str, user: User, fields, person: str, lines, number_format=order_number
):
    """Documents (orders, quotes) of ``queryset`` found by one term: one of ``fields``
    equal to it, the ``person`` field a person it matches, or a line (``lines``: the line
    model's queryset, with ``document_id``) of a product it matches.

    When the term matches few products and people, the ids of the documents that match
    are gathered through indexes (numbers, people, lines by product), up to
    ``SPARSE_DOCUMENTS``; if they are that few the page is read from them. Otherwise
    (a common word, a busy buyer) the documents are walked in the page's order and each
    is checked: as many match, a page fills after a few rows. Four queries at most.
    """
    q = (q or "").strip()[:SEARCH_MAX_LENGTH]
    if not q:
        return queryset
    if not q.isprintable():
        return queryset.none()
    parts = search_parts(q=q, user=user, number_format=number_format)
    by_field = Q()
    for field in fields:
        by_field |= Q(**{f"{field}__in": parts.terms})
    if not parts.dense:
        visible = queryset.order_by().values("pk")
        found = [queryset.filter(by_field).order_by().values_list("pk", flat=True)]
        if parts.people:
            found.append(
                queryset.filter(**{f"{person}__in": parts.people})
                .order_by()
                .values_list("pk", flat=True)
            )
        if parts.products:
            found.append(
                lines.filter(product_id__in=parts.products, document_id__in=visible)
                .order_by()
                .values_list("document_id", flat=True)
            )
        ids = set(found[0].union(*found[1:], all=True)[: SPARSE_DOCUMENTS + 1])
        if len(ids) <= SPARSE_DOCUMENTS:
            return queryset.filter(pk__in=ids)
    has_product = Exists(lines.filter(document_id=OuterRef("pk"), product_id__in=parts.products))
    return queryset.filter(by_field | Q(**{f"{person}__in": parts.people}) | has_product)


def order_search(*, queryset: QuerySet[Order], q: str, user: User) -> QuerySet[Order]:
    """Orders of ``queryset`` found by one search term: the number or a reference (whole),
    the buyer's name or email, or the SKU or name of a product in it (any part, any case).
    Three queries whatever the order book (``document_search``)."""
    return document_search(
        queryset=queryset,
        q=q,
        user=user,
        fields=ORDER_SEARCH_FIELDS,
        person="placed_by",
        lines=OrderLine.objects.annotate(document_id=F("order_id")),
    )
