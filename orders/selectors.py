from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
)
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Product
from catalog.selectors import SEARCH_MAX_LENGTH, product_lookup_by_sku, product_search
from companies.models import User
from companies.roles import OVERSEE_ORDERS
from core.converters import is_document_number
from core.money import format_money

from .models import Order, OrderEvent, OrderLine, OrderStatus, order_number
from .services.lines import normal_sku, product_problem, quantity_problem
from .services.spend import spend_read


def order_visible_to(*, user: User) -> QuerySet[Order]:
    """Orders a person may see: site admins who oversee orders all, contacts their company's."""
    qs = Order.objects.all()
    if user.is_staff:
        return qs if user.has_perm(OVERSEE_ORDERS) else qs.none()
    if user.company_id is None:
        return qs.none()
    return qs.filter(company_id=user.company_id)


def order_list_for_user(*, user: User, mine_only: bool = False) -> QuerySet[Order]:
    """The order list: newest first, with what each row shows, in one query."""
    qs = order_visible_to(user=user).select_related("placed_by", "company")
    if mine_only:
        qs = qs.filter(placed_by=user)
    return qs.order_by("-created_at", "-id")


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


def order_get_for_user(*, user: User, number: str, details: bool = True) -> Order:
    """One order with its lines and history; 404 if missing or not the person's."""
    return order_get(number=number, among=order_visible_to(user=user), details=details)


def order_get(*, number: str, among: QuerySet[Order], details: bool = True) -> Order:
    """One order of ``among`` with its lines and history; 404 if it is not there.

    ``details=False`` leaves the lines and history to be read if they are used
    (an action that only redirects needs neither).
    """
    if not is_document_number(number):
        raise Http404("No such order.")
    orders = among.select_related("placed_by", "company")
    if details:
        orders = orders.prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.select_related("product")),
            Prefetch("events", queryset=OrderEvent.objects.select_related("actor", "on_behalf_of")),
        )
    try:
        return orders.get(number=number)
    except Order.DoesNotExist:
        raise Http404("No such order.") from None


# Orders that count as spent: cancelled and rejected ones never will be.
SPEND_EXCLUDED_STATUSES = (OrderStatus.CANCELLED, OrderStatus.REJECTED)


def month_start(*, now: datetime | None = None) -> datetime:
    """Midnight of the first day of this month in the site's time zone."""
    local = timezone.localtime(now or timezone.now())
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def order_spend_this_month(*, company_id: int, now: datetime | None = None) -> Decimal:
    """What the company ordered this month (site time zone), cancelled and rejected left out.

    The running total the order services keep (``orders.services.spend``): one
    row, whatever the month's orders.
    """
    return spend_read(company_id=company_id, at=now).get(None, Decimal("0.00"))


@dataclass(frozen=True)
class BudgetUse:
    """This month's spend against a budget or a limit (``cap`` None: there is none)."""

    spent: Decimal
    cap: Decimal | None

    @property
    def percent(self) -> int | None:
        return None if not self.cap else min(999, int(self.spent * 100 / self.cap))

    @property
    def left(self) -> Decimal | None:
        return None if self.cap is None else self.cap - self.spent


def order_budget_use(*, user: User) -> tuple[BudgetUse, BudgetUse]:
    """The company's month against its budget, and the person's against their limit. One
    query (the two running totals)."""
    totals = spend_read(company_id=user.company_id, buyer_id=user.pk)
    zero = Decimal("0.00")
    return (
        BudgetUse(totals.get(None, zero), user.company.monthly_budget),
        BudgetUse(totals.get(user.pk, zero), user.monthly_limit),
    )


def order_waiting_for_buyer(*, user: User, limit: int = 8) -> list[Order]:
    """The person's orders an approver sent back for changes, latest first
    (``order_changes_requested_idx``: a handful, whatever the order book)."""
    return list(
        Order.objects.filter(placed_by=user, status=OrderStatus.CHANGES_REQUESTED).order_by(
            "-updated_at", "-id"
        )[:limit]
    )


def order_recent_for_buyer(*, user: User, limit: int = 5) -> list[Order]:
    """The person's own latest orders (``order_buyer_recent_idx``)."""
    return list(order_list_for_user(user=user, mine_only=True)[:limit])


VOLUME_CACHE_SECONDS = 300
VOLUME_DAYS = 30
# The dashboard shows the biggest companies; every row is rendered on every visit, so
# all 10,000 companies of a large installation cost half a second per page.
VOLUME_ROWS = 20


def order_volume_by_company(*, days: int = VOLUME_DAYS, limit: int = VOLUME_ROWS) -> list[dict]:
    """Orders and their value per company over the last ``days`` days, the ``limit`` biggest.

    The only aggregate across companies; kept in the cache for a few minutes so
    the staff dashboard does not re-read a month of orders on every visit.
    """
    key = f"dashboard:order-volume:{days}:{limit}"
    rows = cache.get(key)
    if rows is None:
        since = timezone.now() - timedelta(days=days)
        rows = list(
            Order.objects.filter(created_at__gte=since)
            .exclude(status__in=SPEND_EXCLUDED_STATUSES)
            .order_by()
            .values("company_id", "company__name")
            .annotate(orders=Count("id"), value=Sum("total"))
            .order_by("-value", "company__name")[:limit]
        )
        cache.set(key, rows, VOLUME_CACHE_SECONDS)
    return rows


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


@dataclass(frozen=True)
class LineChange:
    sku: str
    name: str
    change: str  # "added", "removed" or "changed"
    quantity_before: int | None = None
    quantity_after: int | None = None
    price_before: Decimal | None = None
    price_after: Decimal | None = None

    def __str__(self) -> str:
        if self.change == "added":
            return _("%(sku)s %(name)s added: %(quantity)s at %(price)s") % {
                "sku": self.sku,
                "name": self.name,
                "quantity": self.quantity_after,
                "price": format_money(self.price_after),
            }
        if self.change == "removed":
            return _("%(sku)s %(name)s removed (was %(quantity)s)") % {
                "sku": self.sku,
                "name": self.name,
                "quantity": self.quantity_before,
            }
        parts = []
        if self.quantity_before != self.quantity_after:
            parts.append(
                _("quantity %(before)s → %(after)s")
                % {"before": self.quantity_before, "after": self.quantity_after}
            )
        if self.price_before != self.price_after:
            parts.append(
                _("unit price %(before)s → %(after)s")
                % {
                    "before": format_money(self.price_before),
                    "after": format_money(self.price_after),
                }
            )
        return f"{self.sku} {self.name}: {', '.join(parts)}"


@dataclass(frozen=True)
class OrderChanges:
    """What an order's lines became between two of its versions."""

    since_version: int
    lines: list[LineChange]
    total_before: Decimal
    total_after: Decimal

    def summary(self) -> list[str]:
        """One line per change, the total last: for an email."""
        total = _("Total %(before)s → %(after)s") % {
            "before": format_money(self.total_before),
            "after": format_money(self.total_after),
        }
        return [str(line) for line in self.lines] + [total]


def _lines_at(events: list[OrderEvent], version: int) -> list[dict] | None:
    kept = [e for e in events if e.lines is not None and (e.version or 0) <= version]
    return kept[-1].lines if kept else None


def order_changes_since(*, order: Order, version: int) -> OrderChanges | None:
    """What changed in the order's lines since ``version``; None when nothing did (or the
    order's history cannot tell). One query, on the order's events."""
    if version >= order.version:
        return None
    events = list(
        OrderEvent.objects.filter(order=order, lines__isnull=False)
        .only("version", "lines")
        .order_by("created_at", "id")
    )
    before, after = _lines_at(events, version), _lines_at(events, order.version)
    if before is None or after is None or before == after:
        return None
    old = {line["sku"]: line for line in before}
    new = {line["sku"]: line for line in after}
    changes = []
    for sku, line in new.items():
        was = old.get(sku)
        if was is None:
            changes.append(
                LineChange(
                    sku,
                    line["name"],
                    "added",
                    None,
                    line["quantity"],
                    None,
                    Decimal(line["unit_price"]),
                )
            )
        elif (was["quantity"], was["unit_price"]) != (line["quantity"], line["unit_price"]):
            changes.append(
                LineChange(
                    sku,
                    line["name"],
                    "changed",
                    was["quantity"],
                    line["quantity"],
                    Decimal(was["unit_price"]),
                    Decimal(line["unit_price"]),
                )
            )
    for sku, line in old.items():
        if sku not in new:
            changes.append(LineChange(sku, line["name"], "removed", line["quantity"]))
    return OrderChanges(
        since_version=version,
        lines=changes,
        total_before=sum((Decimal(line["line_total"]) for line in before), Decimal("0.00")),
        total_after=sum((Decimal(line["line_total"]) for line in after), Decimal("0.00")),
    )
