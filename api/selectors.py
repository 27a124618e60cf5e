"""Reads for the API: the other apps' selectors, with what the API shows inline.

Scoping is theirs (``order_visible_to``, ``quote_visible_to``): these add only the
joins that keep a list at a constant number of queries, read as the documents the
API renders read them (``orders.documents``, ``quotations.documents``), so a page of
N orders is N documents for the same few queries.
"""

from datetime import datetime

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from approvals.documents import steps_queryset
from catalog.models import Product, is_plausible_sku
from catalog.selectors import product_list_active
from companies.models import Company, User
from core.converters import is_document_number
from orders import documents as order_documents
from orders.models import Order
from orders.selectors import order_list_for_user
from quotations import documents as quote_documents
from quotations.models import Quote
from quotations.selectors import quote_visible_to

from .models import ApiToken


def api_tokens_of(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def _order_inline(qs: QuerySet[Order]) -> QuerySet[Order]:
    return qs.select_related("placed_by", "company").prefetch_related(
        Prefetch("lines", queryset=order_documents.lines_queryset()),
        Prefetch("approval_steps", queryset=steps_queryset()),
        Prefetch("events", queryset=order_documents.history_queryset()),
    )


def api_orders_for(
    *,
    user: User,
    status: str | None = None,
    company_id: int | None = None,
    updated_since: datetime | None = None,
) -> QuerySet[Order]:
    """The orders the person may see (``order_list_for_user``), filtered, with their lines,
    approval steps and history."""
    qs = order_list_for_user(user=user)
    if status:
        qs = qs.filter(status=status)
    if company_id is not None:
        qs = qs.filter(company_id=company_id)
    if updated_since is not None:
        qs = qs.filter(updated_at__gte=updated_since)
    return _order_inline(qs)


def api_order_for(*, user: User, number: str) -> Order:
    """One order the person may see, as the list shows it; 404 otherwise."""
    if not is_document_number(number):
        raise Http404("No such order.")
    order = api_orders_for(user=user).filter(number=number).first()
    if order is None:
        raise Http404("No such order.")
    return order


def api_order_inline(*, order_id: int) -> Order:
    """An order the caller was already allowed to act on, as the list shows it."""
    return _order_inline(Order.objects.filter(pk=order_id)).get()


def _quote_inline(qs: QuerySet[Quote]) -> QuerySet[Quote]:
    return qs.select_related("company", "requested_by", "order").prefetch_related(
        Prefetch("lines", queryset=quote_documents.lines_queryset()),
        Prefetch("revisions", queryset=quote_documents.revisions_queryset()),
        Prefetch("messages", queryset=quote_documents.messages_queryset()),
    )


def api_quotes_for(
    *, user: User, status: str | None = None, updated_since: datetime | None = None
) -> QuerySet[Quote]:
    """The quotes the person may see (``quote_visible_to``), with lines, revisions and
    messages."""
    qs = quote_visible_to(user=user)
    if status:
        qs = qs.filter(status=status)
    if updated_since is not None:
        qs = qs.filter(updated_at__gte=updated_since)
    return _quote_inline(qs)


def api_quote_for(*, user: User, number: str) -> Quote:
    if not is_document_number(number):
        raise Http404("No such quote.")
    quote = api_quotes_for(user=user).filter(number=number).first()
    if quote is None:
        raise Http404("No such quote.")
    return quote


def api_products(*, sku: str | None = None, company_id: int | None = None) -> QuerySet[Product]:
    """Products the caller's company may order (``product_list_active``; no company: the
    whole catalog, as a site admin sees it)."""
    qs = product_list_active(company_id=company_id)
    if sku:
        wanted = sku.strip().upper()
        # a text no SKU can be (control characters, too long) is simply not found
        qs = qs.filter(sku__iexact=wanted) if is_plausible_sku(wanted) else qs.none()
    return qs


def api_company_of(*, user: User) -> Company | None:
    return user.company if user.company_id else None


def api_contacts_of(*, user: User) -> QuerySet[User]:
    """The active contacts of the person's company; none for staff."""
    if user.company_id is None:
        return User.objects.none()
    return User.objects.filter(company_id=user.company_id, is_active=True).order_by(
        "full_name", "id"
    )
