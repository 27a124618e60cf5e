"""One document of an order: what every written-out form of it says.

The API, the webhooks, the CSV export and the emails render an order from its
``OrderDocument`` (and next the PDFs and cXML), so no two of them can disagree
on its header, its lines or its totals. A document is a value: built once from
rows the caller read (reading nothing a prefetch already gave), then only
rendered, never changed. Its types are plain slotted dataclasses rather than
frozen ones: an export builds one per row, and a frozen one costs four times as
much to build.

A part that costs a read of its own — the lines, the approval steps, the
history — is ``None`` when the caller did not ask for it (a list's row has its
line count, not its lines; an email needs neither). ``order_documents`` builds a
list's documents with one query per part for all of them, never one per order,
and none for a part the list was read with.
The approval steps are the approvals app's: orders ask for them through
``orders.routing``, as for everything else about approval.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Model, QuerySet
from django.urls import reverse

from companies.models import Company, User

from . import routing
from .models import Order, OrderEvent, OrderHeader, OrderLine, OrderStatus


@dataclass(slots=True)
class Party:
    """The company an order or a quote is for, with what its documents print about it."""

    id: int
    name: str
    vat_id: str = ""
    payment_terms: str = ""

    @classmethod
    def of(cls, company: Company) -> "Party":
        return cls(company.pk, company.name, company.vat_id, company.payment_terms)


@dataclass(slots=True)
class Person:
    id: int
    full_name: str
    email: str = ""

    @classmethod
    def of(cls, user: User | None) -> "Person | None":
        return None if user is None else cls(user.pk, user.full_name, user.email)


@dataclass(slots=True)
class DocumentHeader:
    """What a purchasing department says about an order (or a quote) besides its lines."""

    po_reference: str = ""
    delivery_to: str = ""
    delivery_date: date | None = None
    cost_centre: str = ""
    note_to_seller: str = ""

    @classmethod
    def of(cls, source: OrderHeader) -> "DocumentHeader":
        return cls(
            po_reference=source.po_reference,
            delivery_to=source.delivery_to,
            delivery_date=source.delivery_date,
            cost_centre=source.cost_centre,
            note_to_seller=source.note_to_seller,
        )


# The header's fields, in the order every rendering lists them.
HEADER_FIELDS = ("po_reference", "delivery_to", "delivery_date", "cost_centre", "note_to_seller")

STATUS_LABELS = dict(OrderStatus.choices)


@dataclass(slots=True)
class DocumentLine:
    sku: str
    name: str
    quantity: int
    unit_price: Decimal
    line_total: Decimal

    @classmethod
    def of(cls, line: OrderLine) -> "DocumentLine":
        product = line.product
        return cls(product.sku, product.name, line.quantity, line.unit_price, line.line_total)

    @classmethod
    def from_snapshot(cls, line: dict) -> "DocumentLine":
        """A line as an order's history keeps it (``OrderEvent.lines``)."""
        return cls(
            line["sku"],
            line["name"],
            line["quantity"],
            Decimal(line["unit_price"]),
            Decimal(line["line_total"]),
        )


@dataclass(slots=True)
class ApprovalEntry:
    """One approval step of an order: who decides from which minimum, and how it went."""

    id: int
    sequence: int
    status: str
    minimum: Decimal
    label: str
    needs_site_admin: bool
    approvers: tuple[Person, ...]
    opened_at: datetime | None
    decided_by: Person | None
    decided_for: Person | None  # a delegate decided for this approver
    decided_at: datetime | None
    comment: str


@dataclass(slots=True)
class HistoryEntry:
    """One line of an order's history."""

    kind: str
    actor: Person | None
    on_behalf_of: Person | None
    from_status: str
    to_status: str
    comment: str
    channel: str
    version: int | None
    created_at: datetime

    @classmethod
    def of(cls, event: OrderEvent) -> "HistoryEntry":
        return cls(
            kind=event.kind,
            actor=Person.of(event.actor),
            on_behalf_of=Person.of(event.on_behalf_of),
            from_status=event.from_status,
            to_status=event.to_status,
            comment=event.comment,
            channel=event.channel,
            version=event.version,
            created_at=event.created_at,
        )


@dataclass(slots=True)
class OrderDocument:
    """An order as every channel writes it out: header, lines, totals, approvals, links."""

    number: str
    status: str
    version: int
    company: Party
    placed_by: Person
    placed_at: datetime
    updated_at: datetime
    quote_number: str  # "" unless placed from a quote (at its agreed prices)
    header: DocumentHeader
    total: Decimal
    currency: str
    # Known when the lines were read or counted with the list (an export); else None.
    line_count: int | None = None
    lines: tuple[DocumentLine, ...] | None = None
    approvals: tuple[ApprovalEntry, ...] | None = None
    history: tuple[HistoryEntry, ...] | None = None

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))

    @property
    def path(self) -> str:
        """The order's page in the portal (made when asked: a long export needs none)."""
        return reverse("orders:detail", args=[self.number])


def related_rows(
    instances: Sequence[Model], name: str, queryset: Callable[[], QuerySet], *, to: str
) -> dict[int, list]:
    """Each instance's rows of its relation ``name`` (``to``: their key to it), by the
    instance's id: those a prefetch read with it (``Prefetch(name, queryset())``), the
    others' in one query for all of them, in ``queryset()``'s order. What is read here
    is not kept on the instances: their rows may still change in the caller's
    transaction.
    """
    rows: dict[int, list] = {}
    missing = []
    for instance in instances:
        # Django keeps a prefetch's rows here; there is no public way to ask for them.
        if name in getattr(instance, "_prefetched_objects_cache", {}):
            rows[instance.pk] = list(getattr(instance, name).all())
        else:
            missing.append(instance.pk)
    if missing:
        for row in queryset().filter(**{f"{to}__in": missing}):
            rows.setdefault(getattr(row, f"{to}_id"), []).append(row)
    return rows


def lines_queryset() -> QuerySet:
    """An order's lines as its document reads them: prefetched as ``Prefetch("lines", ...)``
    with this, a list costs no query for them."""
    return OrderLine.objects.select_related("product").order_by("id")


def history_queryset() -> QuerySet:
    """An order's history as its document reads it (``Prefetch("events", ...)``)."""
    return OrderEvent.objects.select_related("actor", "on_behalf_of").order_by("created_at", "id")


def order_documents(
    orders: Iterable[Order],
    *,
    lines: bool = True,
    approvals: bool = False,
    history: bool = False,
) -> list[OrderDocument]:
    """The documents of ``orders``, with the parts asked for: one query per part for the
    whole list, none for a part the orders were read with (``lines_queryset``,
    ``history_queryset``, and the approvals app's own for its steps)."""
    orders = list(orders)
    read = related_rows(orders, "lines", lines_queryset, to="order") if lines else {}
    events = related_rows(orders, "events", history_queryset, to="order") if history else {}
    steps = routing.router().approvals(orders=orders) if approvals else {}
    return [
        OrderDocument(
            number=order.number,
            status=order.status,
            version=order.version,
            company=Party.of(order.company),
            placed_by=Person.of(order.placed_by),
            placed_at=order.created_at,
            updated_at=order.updated_at,
            quote_number=order.quote_number,
            header=DocumentHeader.of(order),
            total=order.total,
            currency=settings.CURRENCY_CODE,
            line_count=len(read.get(order.pk, ())) if lines else None,
            lines=tuple(DocumentLine.of(line) for line in read.get(order.pk, ()))
            if lines
            else None,
            approvals=steps.get(order.pk, ()) if approvals else None,
            history=tuple(HistoryEntry.of(e) for e in events.get(order.pk, ()))
            if history
            else None,
        )
        for order in orders
    ]


def order_document(
    order: Order,
    *,
    lines: bool | Sequence[dict] = True,
    approvals: bool = False,
    history: bool = False,
) -> OrderDocument:
    """One order's document. ``lines``: True to read them (or use a prefetch), False to
    leave them out, or the lines as the order's history keeps them (placing and
    editing have them in hand)."""
    if isinstance(lines, bool):
        (document,) = order_documents([order], lines=lines, approvals=approvals, history=history)
        return document
    (document,) = order_documents([order], lines=False, approvals=approvals, history=history)
    known = tuple(DocumentLine.from_snapshot(line) for line in lines)
    return replace(document, lines=known, line_count=len(known))


def order_export_document(row: Sequence) -> OrderDocument:
    """An order as one row of an export reads it: its columns, its lines counted (not read).

    ``row``: the values of ``EXPORT_FIELDS``, in that order (``core.exports.keyset_rows``).
    """
    (number, status, version, company_id, company, placed_by_id, name, email) = row[:8]
    (placed_at, updated_at, quote_number, total, line_count, *header) = row[8:]
    return OrderDocument(
        number=number,
        status=status,
        version=version,
        company=Party(company_id, company),
        placed_by=Person(placed_by_id, name, email),
        placed_at=placed_at,
        updated_at=updated_at,
        quote_number=quote_number,
        header=DocumentHeader(*header),
        total=total,
        currency=settings.CURRENCY_CODE,
        line_count=line_count,
    )


# What an export reads of each order (with ``line_count`` annotated): its document's columns.
EXPORT_FIELDS = [
    "number",
    "status",
    "version",
    "company_id",
    "company__name",
    "placed_by_id",
    "placed_by__full_name",
    "placed_by__email",
    "created_at",
    "updated_at",
    "quote_number",
    "total",
    "line_count",
    *HEADER_FIELDS,
]
