from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from companies.roles import USE_QUOTE_DESK
from core.transitions import NEW, Move, Stateful
from orders.models import MAX_LINE_QUANTITY, OrderHeader

if TYPE_CHECKING:
    from catalog.pricing import Price

NUMBER_PREFIX = "Q-"
MAX_MESSAGE_LENGTH = 5_000
MAX_UNIT_PRICE = Decimal("1000000.00")
# What one quote may be worth: the order it becomes must fit its total column.
MAX_QUOTE_TOTAL = Decimal("1000000000.00")
DESK_PERMISSION = USE_QUOTE_DESK


class QuoteStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    ORDERED = "ordered", _("Ordered")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")


class Side(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    SELLER = "seller", _("Seller")
    SYSTEM = "system", _("System")


# Every move of a quote, as data: ``core.transitions.transition`` checks it, pages
# build their buttons from it (``Quote.actions_for``).
QUOTE_MOVES: dict[str, Move] = {
    "request": Move(Side.BUYER, {NEW}, {QuoteStatus.REQUESTED}),
    # an edit of an offer is a counter-proposal: back to the seller
    "edit": Move(Side.BUYER, {QuoteStatus.REQUESTED, QuoteStatus.OFFERED}, {QuoteStatus.REQUESTED}),
    "withdraw": Move(
        Side.BUYER, {QuoteStatus.REQUESTED, QuoteStatus.OFFERED}, {QuoteStatus.WITHDRAWN}
    ),
    "accept": Move(Side.BUYER, {QuoteStatus.OFFERED}, {QuoteStatus.ACCEPTED}),
    "place_order": Move(Side.BUYER, {QuoteStatus.ACCEPTED}, {QuoteStatus.ORDERED}),
    # offering again while offered revises the offer before the buyer answers
    "offer": Move(Side.SELLER, {QuoteStatus.REQUESTED, QuoteStatus.OFFERED}, {QuoteStatus.OFFERED}),
    "accept_as_requested": Move(Side.SELLER, {QuoteStatus.REQUESTED}, {QuoteStatus.ACCEPTED}),
    "reject": Move(
        Side.SELLER, {QuoteStatus.REQUESTED, QuoteStatus.OFFERED}, {QuoteStatus.REJECTED}
    ),
    "expire": Move(Side.SYSTEM, {QuoteStatus.OFFERED}, {QuoteStatus.EXPIRED}),
}

# The thread stays open while the deal is alive.
MESSAGE_STATUSES = frozenset({QuoteStatus.REQUESTED, QuoteStatus.OFFERED, QuoteStatus.ACCEPTED})

# Whose answer a quote waits for; a status missing here waits for nobody's. An
# accepted quote is answered: it waits only for the buyer to place the order, and
# is counted apart as ready to order.
WAITING_FOR: dict[str, str] = {
    QuoteStatus.REQUESTED: Side.SELLER,
    QuoteStatus.OFFERED: Side.BUYER,
}
READY_TO_ORDER = QuoteStatus.ACCEPTED


def status_version(company_id: int | None = None) -> str:
    """The cache version (``core.caching``) of quote counts by status: of every company's
    quotes (the desk's), or of one company's. Bumped by every change of a quote's status."""
    return f"quotations.status:{company_id}" if company_id else "quotations.status"


def desk_rank():
    """The desk's queue order: waiting for the seller, then for the buyer, then closed.

    The same expression backs an index, so the desk reads its first page from it.
    """
    return Case(
        When(status=QuoteStatus.REQUESTED, then=Value(0)),
        When(status__in=[QuoteStatus.OFFERED, QuoteStatus.ACCEPTED], then=Value(1)),
        default=Value(2),
        output_field=models.SmallIntegerField(),
    )


def quote_number(pk: int) -> str:
    return f"{NUMBER_PREFIX}{pk:06d}"


def _price_ok(field: str) -> Q:
    return Q(**{f"{field}__isnull": True}) | (
        Q(**{f"{field}__gte": 0}) & Q(**{f"{field}__lte": MAX_UNIT_PRICE})
    )


class Quote(Stateful, OrderHeader):
    MOVES = QUOTE_MOVES

    number = models.CharField(_("number"), max_length=20, unique=True, null=True, editable=False)
    company = models.ForeignKey(
        "companies.Company", on_delete=models.PROTECT, related_name="quotes"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="quotes_requested"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=QuoteStatus.choices, editable=False
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    expires_at = models.DateTimeField(_("offer valid until"), null=True, blank=True)
    # The link lives here so that orders know nothing of quotes.
    order = models.OneToOneField(
        "orders.Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quote",
        editable=False,
    )
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-last_activity_at", "-id"]
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        permissions = [("use_quote_desk", _("Can answer quotes on the quote desk"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=QuoteStatus.values), name="quote_status_known"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="quote_version_positive"),
            # an order exactly when ordered
            models.CheckConstraint(
                condition=(Q(status=QuoteStatus.ORDERED) & Q(order__isnull=False))
                | (~Q(status=QuoteStatus.ORDERED) & Q(order__isnull=True)),
                name="quote_order_iff_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(status=QuoteStatus.OFFERED) | Q(expires_at__isnull=False),
                name="quote_offer_has_expiry",
            ),
        ]
        indexes = [
            # the search by PO reference
            models.Index(
                fields=["po_reference"],
                condition=~Q(po_reference=""),
                name="quote_po_reference_idx",
            ),
            # my quotes: a company's, latest activity first
            models.Index(
                fields=["company", "-last_activity_at", "-id"], name="quote_company_recent_idx"
            ),
            # the desk's default queue, and its filters and counts by status
            models.Index(desk_rank(), F("last_activity_at"), F("id"), name="quote_desk_queue_idx"),
            models.Index(fields=["status", "last_activity_at"], name="quote_status_activity_idx"),
            # the periodic expiry sweep
            models.Index(
                fields=["expires_at"],
                condition=Q(status=QuoteStatus.OFFERED),
                name="quote_offer_expiry_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"quote #{self.pk}"

    @property
    def waiting_for(self) -> str:
        """``"seller"``, ``"buyer"`` or ``""``: whose turn it is, from the status."""
        return WAITING_FOR.get(self.status, "")

    @property
    def is_open(self) -> bool:
        return self.status in MESSAGE_STATUSES

    @property
    def is_past_expiry(self) -> bool:
        return (
            self.status == QuoteStatus.OFFERED
            and self.expires_at is not None
            and self.expires_at <= timezone.now()
        )

    def refusal(self, action: str) -> str:
        status = self.get_status_display().lower()
        if self.status in self.MOVES[action].targets:
            return _("Quote %(number)s is already %(status)s.") % {
                "number": self.number,
                "status": status,
            }
        return _("Quote %(number)s is %(status)s; this can no longer be done.") % {
            "number": self.number,
            "status": status,
        }

    def changed_meanwhile(self) -> str:
        return _(
            "Quote %(number)s changed while you were looking at it. Please check it again."
        ) % {"number": self.number}

    # Totals from the lines; callers prefetch ``lines__product`` and price them
    # (``quotations.selectors.quotes_priced``).
    @property
    def catalog_total(self) -> Decimal:
        return sum((line.catalog_total for line in self.lines.all()), Decimal("0.00"))

    @property
    def requested_total(self) -> Decimal:
        return sum((line.requested_total for line in self.lines.all()), Decimal("0.00"))

    @property
    def offered_total(self) -> Decimal | None:
        totals = [line.offered_total for line in self.lines.all()]
        if not totals or any(t is None for t in totals):
            return None
        return sum(totals, Decimal("0.00"))


CENT = Decimal("0.01")


class QuoteLine(models.Model):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    target_unit_price = models.DecimalField(
        _("target unit price"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    offered_unit_price = models.DecimalField(
        _("offered unit price"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["quote", "product"], name="quote_line_product_once"),
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(quantity__lte=MAX_LINE_QUANTITY),
                name="quote_line_quantity_range",
            ),
            models.CheckConstraint(
                condition=_price_ok("target_unit_price"), name="quote_line_target_price_ok"
            ),
            models.CheckConstraint(
                condition=_price_ok("offered_unit_price"), name="quote_line_offered_price_ok"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id}"

    _catalog_price: "Price | None" = None

    @property
    def catalog_price(self) -> "Price":
        """What the quote's company would pay for the line today: the one price door's
        answer (``catalog.pricing``), given to a quote's lines at once by
        ``quotations.selectors.quote_lines_priced``."""
        if self._catalog_price is None:
            # A line read on its own (a webhook's payload) asks the door for itself alone;
            # imported here so that models import only models at load.
            from catalog.pricing import price_for

            prices = price_for(
                company_id=self.quote.company_id, items=[(self.product, self.quantity)]
            )
            self._catalog_price = prices[self.product_id]
        return self._catalog_price

    @catalog_price.setter
    def catalog_price(self, price: "Price") -> None:
        self._catalog_price = price

    @property
    def is_priced(self) -> bool:
        return self._catalog_price is not None

    @property
    def catalog_unit_price(self) -> Decimal:
        return self.catalog_price.unit_price

    @property
    def catalog_total(self) -> Decimal:
        return self.catalog_price.total(self.quantity)

    @property
    def requested_unit_price(self) -> Decimal:
        """What the buyer asks to pay: the target, or the catalog price without one."""
        if self.target_unit_price is not None:
            return self.target_unit_price
        return self.catalog_unit_price

    @property
    def requested_total(self) -> Decimal:
        return (self.requested_unit_price * self.quantity).quantize(CENT)

    @property
    def offered_total(self) -> Decimal | None:
        if self.offered_unit_price is None:
            return None
        return (self.offered_unit_price * self.quantity).quantize(CENT)


class RevisionKind(models.TextChoices):
    REQUESTED = "requested", _("Request")
    EDITED = "edited", _("Changed by the buyer")
    COUNTERED = "countered", _("Counter-proposal")
    OFFERED = "offered", _("Offer")
    ACCEPTED_AS_REQUESTED = "accepted_as_requested", _("Accepted as requested")


class QuoteRevision(models.Model):
    """The lines as one side left them, numbered from 1 per quote.

    ``lines`` is a list of ``{"sku", "name", "quantity", "catalog_unit_price",
    "target_unit_price", "offered_unit_price"}`` with prices as strings (or null).
    """

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=30, choices=RevisionKind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    lines = models.JSONField(default=list)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["quote", "number"], name="quote_revision_number_once"),
        ]

    def __str__(self) -> str:
        return f"{self.quote_id} r{self.number}"

    def changes_since(self, previous: "QuoteRevision | None") -> list[dict]:
        """Line by line, what differs from the previous revision (for the thread)."""
        if previous is None:
            return []
        before = {line["sku"]: line for line in previous.lines}
        after = {line["sku"]: line for line in self.lines}
        changes = []
        for sku, line in after.items():
            old = before.get(sku)
            if old is None:
                changes.append({"sku": sku, "name": line["name"], "change": "added", "new": line})
                continue
            fields = [
                field
                for field in ("quantity", "target_unit_price", "offered_unit_price")
                if old.get(field) != line.get(field)
            ]
            if fields:
                changes.append(
                    {
                        "sku": sku,
                        "name": line["name"],
                        "change": "changed",
                        "fields": fields,
                        "old": old,
                        "new": line,
                    }
                )
        for sku, line in before.items():
            if sku not in after:
                changes.append({"sku": sku, "name": line["name"], "change": "removed", "old": line})
        return changes


class QuoteMessage(models.Model):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.CharField(_("message"), max_length=MAX_MESSAGE_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="quote_message_not_empty"),
        ]
        indexes = [models.Index(fields=["quote", "created_at"], name="quote_message_quote_idx")]

    def __str__(self) -> str:
        return f"{self.quote_id}: {self.body[:40]}"


class QuoteEventKind(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    EDITED = "edited", _("Changed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    ORDERED = "ordered", _("Ordered")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")


# Events whose story a revision already tells; the thread shows the revision instead.
EVENTS_TOLD_BY_REVISIONS = frozenset(
    {QuoteEventKind.REQUESTED, QuoteEventKind.EDITED, QuoteEventKind.OFFERED}
)


class QuoteEvent(models.Model):
    """One status move of a quote: who, when, from where to where, and why."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=QuoteEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    from_status = models.CharField(max_length=20, choices=QuoteStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=QuoteStatus.choices)
    comment = models.CharField(max_length=MAX_MESSAGE_LENGTH, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["quote", "created_at"], name="quote_event_quote_idx")]

    def __str__(self) -> str:
        return f"{self.quote_id}: {self.kind}"
