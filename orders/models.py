from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MAX_LINE_QUANTITY = 100_000
NUMBER_PREFIX = "PO-"


class OrderStatus(models.TextChoices):
    PENDING_APPROVAL = "pending_approval", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")
    FULFILLED = "fulfilled", _("Fulfilled")


# Every status move a service may make. Editing re-routes an order, so an
# editable order may move to either routing outcome again.
ORDER_MOVES: dict[str, frozenset[str]] = {
    OrderStatus.PENDING_APPROVAL: frozenset(
        {
            OrderStatus.PENDING_APPROVAL,
            OrderStatus.APPROVED,
            OrderStatus.REJECTED,
            OrderStatus.CANCELLED,
        }
    ),
    OrderStatus.APPROVED: frozenset(
        {
            OrderStatus.PENDING_APPROVAL,
            OrderStatus.APPROVED,
            OrderStatus.CANCELLED,
            OrderStatus.FULFILLED,
        }
    ),
    OrderStatus.REJECTED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
    OrderStatus.FULFILLED: frozenset(),
}
EDITABLE_STATUSES = frozenset({OrderStatus.PENDING_APPROVAL, OrderStatus.APPROVED})


def order_number(pk: int) -> str:
    return f"{NUMBER_PREFIX}{pk:06d}"


class Order(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True, null=True, editable=False)
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
    created_at = models.DateTimeField(_("placed at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
            models.CheckConstraint(
                condition=Q(status__in=OrderStatus.values), name="order_status_known"
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
        ]

    def __str__(self) -> str:
        return self.number or f"order #{self.pk}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    def can_move_to(self, status: str) -> bool:
        return status in ORDER_MOVES[self.status]


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
    CANCELLED = "cancelled", _("Cancelled")
    FULFILLED = "fulfilled", _("Fulfilled")
    REROUTED = "rerouted", _("Re-routed")


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
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["order", "created_at"], name="order_event_order_idx")]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.kind}"
