from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

SKU_MAX_LENGTH = 40


def is_plausible_sku(value: str) -> bool:
    """Whether a text could be a SKU: 1 to 40 printable characters (no NUL, no control)."""
    return 0 < len(value) <= SKU_MAX_LENGTH and value.isprintable()


def normal_sku(value: str | None) -> str:
    """A SKU as the catalog keeps it: no surrounding spaces, upper case."""
    return (value or "").strip().upper()


class Product(models.Model):
    sku = models.CharField(_("SKU"), max_length=SKU_MAX_LENGTH, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    unit_price = models.DecimalField(
        _("unit price"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    category = models.CharField(_("category"), max_length=60, blank=True, db_default="")
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "sku"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="product_price_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["is_active", "name"], name="product_active_name_idx"),
            models.Index(fields=["category", "name"], name="product_category_idx"),
        ]
        # And trigram indexes on UPPER(name) and UPPER(sku) (migration 0002, in SQL):
        # ``icontains`` compares upper case, so part of a SKU or a name is found through
        # them — the catalog's search, SKU suggestions, orders and quotes by product.

    def __str__(self) -> str:
        return f"{self.sku} — {self.name}"

    def clean(self) -> None:
        """Every way into the catalog (the admin form, an import) keeps SKUs alike."""
        self.sku = normal_sku(self.sku)
        if self.sku and not is_plausible_sku(self.sku):
            raise ValidationError(
                {"sku": _("A SKU is 1 to 40 printable characters, without control characters.")}
            )
