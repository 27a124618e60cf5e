"""Requisition lists: products and quantities a buyer keeps for recurring needs.

A list belongs to the person who made it, in their company; shared, the
company's other contacts see it, order from it and copy from it; only its
owner changes it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.models import MAX_LINE_QUANTITY

NAME_MAX_LENGTH = 100


class RequisitionList(models.Model):
    company = models.ForeignKey(
        "companies.Company", on_delete=models.CASCADE, related_name="requisition_lists"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="requisition_lists"
    )
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    is_shared = models.BooleanField(
        _("shared with colleagues"),
        default=False,
        help_text=_("Colleagues of the company see it, order from it and copy from it."),
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("requisition list")
        verbose_name_plural = _("requisition lists")
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "name"], name="requisition_list_name_once_per_owner"
            ),
        ]
        indexes = [
            models.Index(
                fields=["company", "name"],
                condition=Q(is_shared=True),
                name="requisition_shared_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def changed_meanwhile(self) -> str:
        return _("The list “%(name)s” changed while you were looking at it. Please check it.") % {
            "name": self.name
        }


class RequisitionLine(models.Model):
    requisition = models.ForeignKey(RequisitionList, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("requisition list line")
        verbose_name_plural = _("requisition list lines")
        constraints = [
            models.UniqueConstraint(
                fields=["requisition", "product"], name="requisition_line_product_once"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(quantity__lte=MAX_LINE_QUANTITY),
                name="requisition_line_quantity_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id}"


class RequisitionEventKind(models.TextChoices):
    CREATED = "created", _("Created")
    CHANGED = "changed", _("Renamed or shared")
    LINES_ADDED = "lines_added", _("Lines added")
    LINES_CHANGED = "lines_changed", _("Lines changed")


class RequisitionEvent(models.Model):
    """One line of a list's history: who changed it, and what."""

    requisition = models.ForeignKey(
        RequisitionList, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(max_length=20, choices=RequisitionEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.requisition_id} {self.kind}"
