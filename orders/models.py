from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.transitions import NEW, Move, Stateful

MAX_LINE_QUANTITY = 100_000
NUMBER_PREFIX = "PO-"


class OrderStatus(models.TextChoices):
    PENDING_APPROVAL = "pending_approval", _("Waiting for approval")
    CHANGES_REQUESTED = "changes_requested", _("Waiting for the buyer's changes")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")
    FULFILLED = "fulfilled", _("Fulfilled")


# Who asks for a move: the buyer who placed the order, an approver of its open step, a
# site admin (deciding a step routed to site admins, too), a company administrator.
BUYER, APPROVER, SITE_ADMIN = "buyer", "approver", "site_admin"
COMPANY_ADMIN = "company_admin"
DECIDERS = frozenset({APPROVER, SITE_ADMIN})
# Where routing may send an order: waiting for approval, or approved at once.
ROUTED = frozenset({OrderStatus.PENDING_APPROVAL, OrderStatus.APPROVED})
# What the buyer may still change or cancel.
CHANGEABLE = frozenset(
    {OrderStatus.PENDING_APPROVAL, OrderStatus.CHANGES_REQUESTED, OrderStatus.APPROVED}
)

# Every move of an order. ``transition`` (core.transitions) is the only writer of a
# status and checks it against this table; pages build their buttons from it.
ORDER_MOVES: dict[str, Move] = {
    "place": Move(BUYER, {NEW}, ROUTED),
    # an edit voids the decisions taken so far and routes the order again
    "edit": Move(BUYER, CHANGEABLE, ROUTED),
    "cancel": Move(BUYER, CHANGEABLE, {OrderStatus.CANCELLED}),
    # a step of a chain approved: the order waits for the next one
    "approve_step": Move(DECIDERS, {OrderStatus.PENDING_APPROVAL}, {OrderStatus.PENDING_APPROVAL}),
    "approve": Move(DECIDERS, {OrderStatus.PENDING_APPROVAL}, {OrderStatus.APPROVED}),
    "reject": Move(DECIDERS, {OrderStatus.PENDING_APPROVAL}, {OrderStatus.REJECTED}),
    # sent back to the buyer with a comment: they change it (routed again) or cancel it
    "request_changes": Move(
        DECIDERS, {OrderStatus.PENDING_APPROVAL}, {OrderStatus.CHANGES_REQUESTED}
    ),
    # the company's approval setup changed while it waited: its tiers (a site admin), or
    # its people (a company administrator deactivating or reactivating a colleague)
    "reroute": Move({SITE_ADMIN, COMPANY_ADMIN}, {OrderStatus.PENDING_APPROVAL}, ROUTED),
    "fulfil": Move(SITE_ADMIN, {OrderStatus.APPROVED}, {OrderStatus.FULFILLED}),
}
EDITABLE_STATUSES = ORDER_MOVES["edit"].sources

# What a refused move tells the person: "Order PO-000042 is cancelled and can no longer be …"
_REFUSED = {
    "edit": _("Order %(number)s is %(status)s and can no longer be changed."),
    "cancel": _("Order %(number)s is %(status)s and can no longer be cancelled."),
    "approve_step": _("Order %(number)s is %(status)s and can no longer be decided."),
    "approve": _("Order %(number)s is %(status)s and can no longer be decided."),
    "reject": _("Order %(number)s is %(status)s and can no longer be decided."),
    "request_changes": _("Order %(number)s is %(status)s and can no longer be decided."),
    "reroute": _("Order %(number)s is %(status)s and is not routed again."),
    "fulfil": _("Order %(number)s is not approved and cannot be fulfilled."),
}


def order_number(pk: int) -> str:
    return f"{NUMBER_PREFIX}{pk:06d}"


class NumberFromId(models.Func):
    """The database's default for an order's number: ``order_number`` of the id the
    same INSERT just drew, so placing an order needs no second write for it.

    Postgres evaluates a row's defaults in column order: the id's ``nextval``
    comes first, and ``currval`` then reads it. Elsewhere (SQLite) the default
    is NULL and the service writes the number after the INSERT.
    """

    allowed_default = True
    output_field = models.CharField()

    def as_sql(self, compiler, connection, **extra):
        return "NULL", []

    def as_postgresql(self, compiler, connection, **extra):
        drawn = "currval(pg_get_serial_sequence('orders_order', 'id'))"
        return (
            f"('{NUMBER_PREFIX}' || CASE WHEN {drawn} < 1000000 "
            f"THEN lpad({drawn}::text, 6, '0') ELSE {drawn}::text END)",
            [],
        )


MAX_PO_REFERENCE = 40
MAX_COST_CENTRE = 100
MAX_NOTE = 2000


class OrderHeader(models.Model):
    """What a purchasing department says about an order besides its lines.

    Orders and quotes both carry it (a quote's header goes into its order). The
    delivery address is kept as text too: the order is delivered where it said,
    whatever becomes of the company's address book. Rules: ``orders.services.header``.
    """

    po_reference = models.CharField(_("your PO reference"), max_length=MAX_PO_REFERENCE, blank=True)
    delivery_address = models.ForeignKey(
        "companies.DeliveryAddress",
        verbose_name=_("delivery address"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    delivery_to = models.TextField(_("deliver to"), blank=True, editable=False)
    delivery_date = models.DateField(_("requested delivery date"), null=True, blank=True)
    cost_centre = models.CharField(_("cost centre"), max_length=MAX_COST_CENTRE, blank=True)
    note_to_seller = models.TextField(_("note to the seller"), max_length=MAX_NOTE, blank=True)

    class Meta:
        abstract = True

    @property
    def has_header(self) -> bool:
        return bool(
            self.po_reference
            or self.delivery_to
            or self.delivery_date
            or self.cost_centre
            or self.note_to_seller
        )


class Order(Stateful, OrderHeader):
    MOVES = ORDER_MOVES

    number = models.CharField(
        _("number"),
        max_length=20,
        unique=True,
        null=True,
        editable=False,
        db_default=NumberFromId(),
    )
    company = models.ForeignKey(
        "companies.Company", on_delete=models.PROTECT, related_name="orders"
    )
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders_placed"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=OrderStatus.choices, editable=False
    )
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2, default=Decimal("0"))
    version = models.PositiveIntegerField(default=1, editable=False)
    # Orders know a quote only by its number: its prices were agreed there, not read
    # from the catalog, so the order's lines are fixed.
    quote_number = models.CharField(_("from quote"), max_length=20, blank=True, editable=False)
    # Set by the service that places it (the month it counts in is read from it first).
    created_at = models.DateTimeField(
        _("placed at"), default=timezone.now, editable=False, db_index=True
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        permissions = [
            ("oversee_orders", _("Can see the orders of every company")),
            ("fulfil_orders", _("Can mark approved orders fulfilled")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
            models.CheckConstraint(
                condition=Q(status__in=OrderStatus.values), name="order_status_known"
            ),
            # A buyer's PO reference names one order of their company (when given).
            models.UniqueConstraint(
                fields=["company", "po_reference"],
                condition=~Q(po_reference=""),
                name="order_po_reference_once",
            ),
        ]
        indexes = [
            # Status and total ride along so "spent this month" is an index-only scan.
            models.Index(
                fields=["company", "-created_at", "-id"],
                include=["status", "total"],
                name="order_company_recent_idx",
            ),
            models.Index(fields=["placed_by", "-created_at", "-id"], name="order_buyer_recent_idx"),
            models.Index(fields=["status", "created_at"], name="order_status_created_idx"),
            # the search by PO reference across companies (site admins'); a company's own
            # reads the unique constraint's index
            models.Index(
                fields=["po_reference"],
                condition=~Q(po_reference=""),
                name="order_po_reference_idx",
            ),
            # Orders sent back to their buyer for changes: the buyer's dashboard lists them.
            models.Index(
                fields=["placed_by", "-updated_at", "-id"],
                condition=Q(status="changes_requested"),
                name="order_changes_requested_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"order #{self.pk}"

    @property
    def is_editable(self) -> bool:
        return self.allows("edit")

    @property
    def has_agreed_prices(self) -> bool:
        """Placed from a quote: its lines are fixed (cancel it and ask again to change them)."""
        return bool(self.quote_number)

    def refusal(self, action: str) -> str:
        return _REFUSED.get(action, _("Order %(number)s is %(status)s.")) % {
            "number": self.number,
            "status": self.get_status_display().lower(),
        }

    def changed_meanwhile(self) -> str:
        return _(
            "Order %(number)s changed while you were looking at it. Please check it again."
        ) % {"number": self.number}


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    line_total = models.DecimalField(_("line total"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "product"], name="order_line_product_once"),
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(quantity__lte=MAX_LINE_QUANTITY),
                name="order_line_quantity_range",
            ),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="order_line_price_ok"),
        ]
        indexes = [
            # Orders by a product in them (the order search), from the index alone.
            models.Index(fields=["product", "order"], name="order_line_product_order_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id}"


class OrderEventKind(models.TextChoices):
    PLACED = "placed", _("Placed")
    EDITED = "edited", _("Edited")
    AUTO_APPROVED = "auto_approved", _("Approved without approval")
    SUBMITTED = "submitted", _("Sent for approval")
    STEP_APPROVED = "step_approved", _("Step approved")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CHANGES_REQUESTED = "changes_requested", _("Sent back for changes")
    CANCELLED = "cancelled", _("Cancelled")
    FULFILLED = "fulfilled", _("Fulfilled")
    REROUTED = "rerouted", _("Re-routed")


class Channel(models.TextChoices):
    WEB = "web", _("the portal")
    EMAIL = "email", _("an email link")
    API = "api", _("the API")


class OrderEvent(models.Model):
    """One line of an order's history: who moved it, when, from where to where."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=OrderEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    from_status = models.CharField(max_length=20, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=OrderStatus.choices, blank=True)
    comment = models.TextField(blank=True)
    # A delegate's decision: the approver they decided for.
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    # Where the person acted: on a page of the portal, from a link in an email, the API.
    channel = models.CharField(
        _("from"), max_length=10, choices=Channel.choices, default=Channel.WEB
    )
    # The order's version after the event, and its lines when it was placed or edited:
    # what an approver compares with the version they saw before.
    version = models.PositiveIntegerField(null=True, blank=True)
    lines = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["order", "created_at"], name="order_event_order_idx")]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.kind}"


# Orders that count as spent: waiting, sent back for changes, approved, fulfilled;
# cancelled and rejected ones never will be.
SPENT_STATUSES = frozenset(
    {
        OrderStatus.PENDING_APPROVAL,
        OrderStatus.CHANGES_REQUESTED,
        OrderStatus.APPROVED,
        OrderStatus.FULFILLED,
    }
)


class MonthlySpend(models.Model):
    """What a company (``buyer`` empty), or one of its buyers, spent in a month.

    A running total kept by the order services in the transaction of every change
    that moves it (placing, editing, cancelling, rejecting), so a dashboard or a
    budget check reads one row instead of summing the month's orders, and two
    orders placed at once meet on the row's lock instead of both slipping under a
    budget. The month is the order's, in the site's time zone.
    """

    company = models.ForeignKey(
        "companies.Company", on_delete=models.CASCADE, related_name="monthly_spend"
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="monthly_spend",
        null=True,
        blank=True,
    )
    month = models.DateField(_("month"))  # its first day
    total = models.DecimalField(
        _("spent"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )

    class Meta:
        verbose_name = _("monthly spend")
        verbose_name_plural = _("monthly spend")
        constraints = [
            # one row per company and month (no buyer) and per buyer and month: one
            # index, so one INSERT ... ON CONFLICT adds to both rows
            models.UniqueConstraint(
                "company", Coalesce("buyer", Value(0)), "month", name="monthly_spend_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company_id}/{self.buyer_id or '-'} {self.month:%Y-%m}: {self.total}"
