"""One document of a quote: what every written-out form of it says.

The API, the webhooks, the CSV export and the emails render a quote from its
``QuoteDocument``, as orders do from theirs (``orders.documents``, whose header,
company and people it shares). A part that costs a read of its own — the lines,
the thread (revisions and messages) — is ``None`` when the caller did not ask for
it; so are the totals the lines make, unless an export summed them in the database.
Its types are plain slotted dataclasses, built once and only rendered, as the
order's are.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse

from catalog.pricing import Basket, price_for_baskets
from orders.documents import HEADER_FIELDS, DocumentHeader, Party, Person, related_rows

from .models import CENT, Quote, QuoteLine, QuoteMessage, QuoteRevision, QuoteStatus

STATUS_LABELS = dict(QuoteStatus.choices)


@dataclass(slots=True)
class QuoteLineEntry:
    id: int
    sku: str
    name: str
    quantity: int
    catalog_unit_price: Decimal
    target_unit_price: Decimal | None
    offered_unit_price: Decimal | None
    # at the target price, else the catalog's
    requested_total: Decimal
    offered_total: Decimal | None

    @classmethod
    def of(cls, line: QuoteLine) -> "QuoteLineEntry":
        """The line as written out; its catalog price is the one door's answer, given to
        the document's lines at once (``quote_documents``)."""
        product = line.product
        return cls(
            id=line.pk,
            sku=product.sku,
            name=product.name,
            quantity=line.quantity,
            catalog_unit_price=line.catalog_unit_price,
            target_unit_price=line.target_unit_price,
            offered_unit_price=line.offered_unit_price,
            requested_total=line.requested_total,
            offered_total=line.offered_total,
        )


@dataclass(slots=True)
class RevisionEntry:
    """The lines as one side left them (``QuoteRevision``: prices as text, as kept)."""

    number: int
    kind: str
    author: Person
    lines: list
    expires_at: datetime | None
    created_at: datetime


@dataclass(slots=True)
class MessageEntry:
    id: int
    author: Person
    body: str
    created_at: datetime


@dataclass(slots=True)
class QuoteDocument:
    """A quote as every channel writes it out: header, lines, totals, thread, links."""

    number: str
    status: str
    version: int
    company: Party
    requested_by: Person
    requested_at: datetime
    updated_at: datetime
    last_activity_at: datetime
    offer_valid_until: datetime | None
    order_number: str | None  # the order it became
    header: DocumentHeader
    currency: str
    # From the lines (read, or summed by an export); None when they were not.
    line_count: int | None = None
    requested_total: Decimal | None = None
    # None also while a line has no offered price.
    offered_total: Decimal | None = None
    lines: tuple[QuoteLineEntry, ...] | None = None
    revisions: tuple[RevisionEntry, ...] | None = None
    messages: tuple[MessageEntry, ...] | None = None

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))

    @property
    def path(self) -> str:
        return reverse("quotations:detail", args=[self.number])


def lines_queryset() -> QuerySet:
    """A quote's lines as its document reads them: prefetched as ``Prefetch("lines", ...)``
    with this, a list costs no query for them."""
    return QuoteLine.objects.select_related("product").order_by("id")


def revisions_queryset() -> QuerySet:
    return QuoteRevision.objects.select_related("author").order_by("number")


def messages_queryset() -> QuerySet:
    return QuoteMessage.objects.select_related("author").order_by("created_at", "id")


def _totals(lines: tuple[QuoteLineEntry, ...]) -> tuple[Decimal, Decimal | None]:
    offered = [line.offered_total for line in lines]
    return (
        sum((line.requested_total for line in lines), Decimal("0.00")),
        None if not offered or None in offered else sum(offered, Decimal("0.00")),
    )


def _document(quote: Quote, lines: list | None, revisions: list | None, messages: list | None):
    entries = None if lines is None else tuple(QuoteLineEntry.of(line) for line in lines)
    requested, offered = (None, None) if entries is None else _totals(entries)
    return QuoteDocument(
        number=quote.number,
        status=quote.status,
        version=quote.version,
        company=Party.of(quote.company),
        requested_by=Person.of(quote.requested_by),
        requested_at=quote.created_at,
        updated_at=quote.updated_at,
        last_activity_at=quote.last_activity_at,
        offer_valid_until=quote.expires_at,
        order_number=quote.order.number if quote.order_id else None,
        header=DocumentHeader.of(quote),
        currency=settings.CURRENCY_CODE,
        line_count=None if entries is None else len(entries),
        requested_total=requested,
        offered_total=offered,
        lines=entries,
        revisions=None
        if revisions is None
        else tuple(
            RevisionEntry(
                r.number, r.kind, Person.of(r.author), r.lines, r.expires_at, r.created_at
            )
            for r in revisions
        ),
        messages=None
        if messages is None
        else tuple(MessageEntry(m.pk, Person.of(m.author), m.body, m.created_at) for m in messages),
    )


def quote_documents(
    quotes: Iterable[Quote], *, lines: bool = True, thread: bool = False
) -> list[QuoteDocument]:
    """The documents of ``quotes`` with the parts asked for: one query per part for the
    whole list, none for a part the quotes were read with (``lines_queryset``,
    ``revisions_queryset``, ``messages_queryset``)."""
    quotes = list(quotes)
    read = related_rows(quotes, "lines", lines_queryset, to="quote") if lines else {}
    _price(quotes, read)
    revisions = related_rows(quotes, "revisions", revisions_queryset, to="quote") if thread else {}
    messages = related_rows(quotes, "messages", messages_queryset, to="quote") if thread else {}
    return [
        _document(
            quote,
            read.get(quote.pk, []) if lines else None,
            revisions.get(quote.pk, []) if thread else None,
            messages.get(quote.pk, []) if thread else None,
        )
        for quote in quotes
    ]


def _price(quotes: list[Quote], lines: dict[int, list[QuoteLine]]) -> None:
    """Give every line not priced yet what its quote's company pays today: one call of
    the price door (``catalog.pricing``) for all the quotes, whichever companies."""
    company_of = {quote.pk: quote.company_id for quote in quotes}
    waiting = {
        quote_id: [line for line in held if not line.is_priced] for quote_id, held in lines.items()
    }
    baskets = {
        quote_id: Basket.of(company_of[quote_id], [(ln.product, ln.quantity) for ln in held])
        for quote_id, held in waiting.items()
        if held
    }
    if not baskets:
        return
    prices = price_for_baskets(baskets=baskets)
    for quote_id in baskets:
        for line in waiting[quote_id]:
            line.catalog_price = prices[quote_id][line.product_id]


def quote_document(quote: Quote, *, lines: bool = True, thread: bool = False) -> QuoteDocument:
    (document,) = quote_documents([quote], lines=lines, thread=thread)
    return document


def _cents(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(CENT)


def quote_export_document(row: Sequence, *, at_catalog: Decimal) -> QuoteDocument:
    """A quote as one row of an export reads it: its columns, and its lines counted and
    summed in the database (the values of ``EXPORT_FIELDS``, in that order).
    ``at_catalog``: its lines without a target price at what the company pays today
    (the price door's answer, which the database cannot sum)."""
    (number, status, version, company_id, company, requested_by_id, name, email) = row[:8]
    (requested_at, updated_at, last_activity_at, expires_at, order_number) = row[8:13]
    (count, targeted, _untargeted, offered, unoffered, *header) = row[13:]
    requested = (targeted or Decimal("0.00")) + at_catalog if count else None
    return QuoteDocument(
        number=number,
        status=status,
        version=version,
        company=Party(company_id, company),
        requested_by=Person(requested_by_id, name, email),
        requested_at=requested_at,
        updated_at=updated_at,
        last_activity_at=last_activity_at,
        offer_valid_until=expires_at,
        order_number=order_number,
        header=DocumentHeader(*header),
        currency=settings.CURRENCY_CODE,
        line_count=count,
        requested_total=_cents(requested),
        offered_total=_cents(offered) if count and not unoffered else None,
    )


# What an export reads of each quote (with the ``export_*`` sums annotated).
EXPORT_FIELDS = [
    "number",
    "status",
    "version",
    "company_id",
    "company__name",
    "requested_by_id",
    "requested_by__full_name",
    "requested_by__email",
    "created_at",
    "updated_at",
    "last_activity_at",
    "expires_at",
    "order__number",
    "export_lines",
    "export_targeted",
    "export_untargeted",
    "export_offered",
    "export_unoffered",
    *HEADER_FIELDS,
]
