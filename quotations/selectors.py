from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import islice
from typing import Any

from django.core.cache import cache
from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.pricing import Basket, price_for, price_for_baskets
from companies.models import User
from core.caching import cached
from core.converters import is_document_number
from core.exports import CHUNK_SIZE, keyset_rows
from orders.selectors import document_search

from .documents import EXPORT_FIELDS, QuoteDocument, quote_export_document
from .models import (
    DESK_PERMISSION,
    EVENTS_TOLD_BY_REVISIONS,
    READY_TO_ORDER,
    WAITING_FOR,
    Quote,
    QuoteEvent,
    QuoteLine,
    QuoteMessage,
    QuoteRevision,
    Side,
    desk_rank,
    quote_number,
    status_version,
)

# The quote's own text fields a search term is compared with, whole: its number (a PO
# reference field joins this list with an index of its own).
QUOTE_SEARCH_FIELDS: list[str] = ["number", "po_reference"]


def quote_lines_priced(*, company_id: int, lines: Iterable[QuoteLine]) -> list[QuoteLine]:
    """Lines of one quote (with their products), each given its ``catalog_price``: what
    the company would pay today, from the one price door (``catalog.pricing``)."""
    lines = list(lines)
    prices = price_for(
        company_id=company_id, items=[(line.product, line.quantity) for line in lines]
    )
    for line in lines:
        line.catalog_price = prices[line.product_id]
    return lines


def quotes_priced(*, quotes: Iterable[Quote]) -> list[Quote]:
    """Quotes with their lines prefetched, every line given its ``catalog_price``: one
    door call for them all, whichever companies they are of (lines priced already are
    left as they are)."""
    quotes = list(quotes)
    baskets = {
        quote.pk: Basket.of(
            quote.company_id,
            [(ln.product, ln.quantity) for ln in quote.lines.all() if not ln.is_priced],
        )
        for quote in quotes
    }
    prices = price_for_baskets(baskets=baskets)
    for quote in quotes:
        for line in quote.lines.all():
            if not line.is_priced:
                line.catalog_price = prices[quote.pk][line.product_id]
    return quotes


def quote_search(*, queryset: QuerySet[Quote], q: str, user: User) -> QuerySet[Quote]:
    """Quotes of ``queryset`` found by one search term: the number (whole), the name or
    email of who asked, or the SKU or name of a product in it (``document_search``)."""
    return document_search(
        queryset=queryset,
        q=q,
        user=user,
        fields=QUOTE_SEARCH_FIELDS,
        number_format=quote_number,
        person="requested_by",
        lines=QuoteLine.objects.annotate(document_id=F("quote_id")),
    )


def _line_count(**only):
    """Lines per quote (those matching ``only``) as a subquery: no GROUP BY, so a list page
    reads its index."""
    per_quote = (
        QuoteLine.objects.filter(quote=OuterRef("pk"), **only)
        .order_by()
        .values("quote")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(per_quote, output_field=IntegerField()), 0)


def _lines_sum(amount, **only):
    """A per-quote sum over its lines as a subquery (no GROUP BY over the list)."""
    per_quote = (
        QuoteLine.objects.filter(quote=OuterRef("pk"), **only)
        .order_by()
        .values("quote")
        .annotate(total=Sum(amount))
        .values("total")
    )
    return Subquery(per_quote, output_field=DecimalField(max_digits=14, decimal_places=2))


def quote_export_header() -> list[str]:
    return [
        _("Quote"),
        _("Company"),
        _("Requested by"),
        _("Email"),
        _("Requested at"),
        _("Status"),
        _("Lines"),
        _("Requested total"),
        _("Offered total"),
        _("Currency"),
        _("Offer valid until"),
        _("From order"),
        _("Last activity"),
        _("PO reference"),
        _("Deliver to"),
        _("Delivery date"),
        _("Cost centre"),
        _("Note to the seller"),
    ]


def quote_export_rows(*, quotes: QuerySet[Quote]) -> Iterator[tuple]:
    """The rows of a quote list's CSV, in the list's order: one query per chunk of rows,
    and one more for the chunk's lines without a target price.

    ``quotes``: the list as the page shows it (the person's quotes, filtered). The
    totals are the lines' sums: requested at the target price (summed in the
    database), or without one at what the company pays today (the one price door,
    ``catalog.pricing``); offered only once every line has an offered price. Each
    row is the quote's document as the export reads it.
    """
    targeted = ExpressionWrapper(
        F("quantity") * F("target_unit_price"),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )
    offered = ExpressionWrapper(
        F("quantity") * F("offered_unit_price"),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )
    rows = keyset_rows(
        quotes.annotate(
            export_lines=_line_count(),
            export_targeted=_lines_sum(targeted, target_unit_price__isnull=False),
            export_untargeted=_line_count(target_unit_price__isnull=True),
            export_offered=_lines_sum(offered),
            export_unoffered=_line_count(offered_unit_price__isnull=True),
        ),
        fields=["id", *EXPORT_FIELDS],
    )
    while chunk := list(islice(rows, CHUNK_SIZE)):
        at_catalog = _untargeted_totals(chunk)
        for quote_id, *row in chunk:
            yield quote_export_row(
                quote_export_document(row, at_catalog=at_catalog.get(quote_id, ZERO))
            )


ZERO = Decimal("0.00")


def _untargeted_totals(chunk: list[tuple]) -> dict[int, Decimal]:
    """Per quote of an export chunk (rows of ``id`` and ``EXPORT_FIELDS``), its lines
    without a target price at what the quote's company pays today: one query for the
    lines, one door call for the chunk."""
    company = EXPORT_FIELDS.index("company_id") + 1
    untargeted = EXPORT_FIELDS.index("export_untargeted") + 1
    company_of = {row[0]: row[company] for row in chunk if row[untargeted]}
    if not company_of:
        return {}
    lines: dict[int, list[QuoteLine]] = {}
    for line in QuoteLine.objects.filter(
        quote_id__in=list(company_of), target_unit_price__isnull=True
    ).select_related("product"):
        lines.setdefault(line.quote_id, []).append(line)
    baskets = {
        quote_id: Basket.of(company_of[quote_id], [(ln.product, ln.quantity) for ln in held])
        for quote_id, held in lines.items()
    }
    prices = price_for_baskets(baskets=baskets)
    return {
        quote_id: sum((prices[quote_id][ln.product_id].total(ln.quantity) for ln in held), ZERO)
        for quote_id, held in lines.items()
    }


def quote_export_row(document: QuoteDocument) -> tuple:
    """One quote's row of the CSV (``quote_export_header``), from its document."""
    header = document.header
    return (
        document.number,
        document.company.name,
        document.requested_by.full_name,
        document.requested_by.email,
        document.requested_at,
        document.status_label,
        document.line_count,
        document.requested_total,
        document.offered_total,
        document.currency,
        document.offer_valid_until,
        document.order_number,
        document.last_activity_at,
        header.po_reference,
        header.delivery_to,
        header.delivery_date,
        header.cost_centre,
        header.note_to_seller,
    )


def quote_side(*, user: User, quote: Quote) -> str:
    """``"buyer"`` for the asking company's contacts, ``"seller"`` for the desk, else ``""``."""
    if user.is_staff:
        return Side.SELLER if user.is_active and user.has_perm(DESK_PERMISSION) else ""
    if user.company_id is not None and user.company_id == quote.company_id:
        return Side.BUYER
    return ""


def quote_visible_to(*, user: User) -> QuerySet[Quote]:
    """Quotes a person may see: the desk all, contacts their company's, others none."""
    qs = Quote.objects.all()
    if user.is_staff:
        return qs if user.has_perm(DESK_PERMISSION) else qs.none()
    if user.company_id is None:
        return qs.none()
    return qs.filter(company_id=user.company_id)


def quote_list_for_contact(*, user: User) -> QuerySet[Quote]:
    """My company's quotes, latest activity first, with what each row shows, in one query."""
    return (
        quote_visible_to(user=user)
        .select_related("requested_by")
        .annotate(line_count=_line_count())
        .order_by("-last_activity_at", "-id")
    )


def quote_desk_list(*, user: User) -> QuerySet[Quote]:
    """All quotes for the desk: waiting for the seller first, the longest waiting on top."""
    return (
        quote_visible_to(user=user)
        .select_related("company", "requested_by")
        .annotate(line_count=_line_count(), desk_rank=desk_rank())
        .order_by("desk_rank", "last_activity_at", "id")
    )


def quote_desk_counts(*, user: User) -> dict[str, int]:
    """How many quotes wait for each side's answer, and how many are accepted but not
    yet ordered (``"ready"``): counted in one query over the status index, and kept in
    the shared cache until a quote of theirs changes status (``status_version``)."""
    company_id = None if user.is_staff else user.company_id

    def count() -> dict[str, int]:
        rows = (
            quote_visible_to(user=user)
            .filter(status__in=[*WAITING_FOR, READY_TO_ORDER])
            .order_by()
            .values("status")
            .annotate(n=Count("id"))
        )
        counts = {Side.SELLER.value: 0, Side.BUYER.value: 0, "ready": 0}
        for row in rows:
            counts[WAITING_FOR.get(row["status"], "ready")] += row["n"]
        return counts

    if user.is_staff and not user.has_perm(DESK_PERMISSION):
        return count()  # nothing to see: no query, nothing to keep
    return cached(
        f"quotations.counts:{company_id or 'all'}",
        depends_on=[status_version(company_id)],
        compute=count,
    )


def quote_get_for_user(*, user: User, number: str) -> Quote:
    """One quote with its lines (priced: ``quotes_priced``), revisions, thread and history;
    404 if not the person's."""
    if not is_document_number(number):
        raise Http404("No such quote.")
    try:
        quote = (
            quote_visible_to(user=user)
            .select_related("company", "requested_by", "order")
            .prefetch_related(
                Prefetch("lines", queryset=QuoteLine.objects.select_related("product")),
                Prefetch("revisions", queryset=QuoteRevision.objects.select_related("author")),
                Prefetch("messages", queryset=QuoteMessage.objects.select_related("author")),
                Prefetch("events", queryset=QuoteEvent.objects.select_related("actor")),
            )
            .get(number=number)
        )
    except Quote.DoesNotExist:
        raise Http404("No such quote.") from None
    return quotes_priced(quotes=[quote])[0]


@dataclass
class TimelineEntry:
    kind: str  # "revision", "message" or "event"
    at: datetime
    item: Any
    changes: list[dict] = field(default_factory=list)


_KIND_ORDER = {"event": 0, "revision": 1, "message": 2}


def quote_timeline(*, quote: Quote) -> list[TimelineEntry]:
    """Revisions, messages and status moves of a prefetched quote, in time order.

    Each revision carries what changed since the one before; events a revision
    already tells (request, edit, offer) are left out.
    """
    entries: list[TimelineEntry] = []
    previous = None
    for revision in quote.revisions.all():
        entries.append(
            TimelineEntry(
                "revision", revision.created_at, revision, revision.changes_since(previous)
            )
        )
        previous = revision
    entries.extend(TimelineEntry("message", m.created_at, m) for m in quote.messages.all())
    entries.extend(
        TimelineEntry("event", e.created_at, e)
        for e in quote.events.all()
        if e.kind not in EVENTS_TOLD_BY_REVISIONS
    )
    entries.sort(key=lambda e: (e.at, _KIND_ORDER[e.kind], e.item.pk))
    return entries


def quote_waiting_for_buyer(*, user: User) -> QuerySet[Quote]:
    """My company's quotes waiting for our answer, the longest waiting first."""
    if user.is_staff or user.company_id is None:
        return Quote.objects.none()
    statuses = [status for status, side in WAITING_FOR.items() if side == Side.BUYER]
    return (
        quote_visible_to(user=user)
        .filter(status__in=statuses)
        .select_related("requested_by")
        .order_by("last_activity_at", "id")
    )


def quote_ready_to_order(*, user: User) -> QuerySet[Quote]:
    """My company's accepted quotes not yet turned into an order, the oldest first."""
    if user.is_staff or user.company_id is None:
        return Quote.objects.none()
    return (
        quote_visible_to(user=user)
        .filter(status=READY_TO_ORDER)
        .select_related("requested_by")
        .order_by("last_activity_at", "id")
    )


def quote_waiting_for_seller(*, user: User) -> QuerySet[Quote]:
    """Quotes the desk has to answer, the longest waiting first."""
    statuses = [status for status, side in WAITING_FOR.items() if side == Side.SELLER]
    return (
        quote_visible_to(user=user)
        .filter(status__in=statuses)
        .select_related("company", "requested_by")
        .order_by("last_activity_at", "id")
    )


def quote_waiting_count(*, user: User) -> int:
    """How many quotes wait for this person's side (desk: the seller; contacts: the buyer)."""
    if user.is_staff:
        return quote_desk_counts(user=user)[Side.SELLER.value]
    if user.company_id is None:
        return 0
    return quote_desk_counts(user=user)[Side.BUYER.value]


VOLUME_CACHE_SECONDS = 300


def quote_volume_by_company(*, days: int = 30) -> dict[int, int]:
    """Quotes requested per company over the last ``days`` days, cached for a few minutes."""
    key = f"dashboard:quote-volume:{days}"
    counts = cache.get(key)
    if counts is None:
        since = timezone.now() - timedelta(days=days)
        counts = dict(
            Quote.objects.filter(created_at__gte=since)
            .order_by()
            .values("company_id")
            .annotate(n=Count("id"))
            .values_list("company_id", "n")
        )
        cache.set(key, counts, VOLUME_CACHE_SECONDS)
    return counts
