"""Products in and out of Django admin as files (django-import-export).

An import matches rows to products by SKU: a new SKU adds a product, a known
one updates it. Each row goes through the model's own validation (``full_clean``:
SKU shape and uniqueness, a name, a price of 0 or more with two decimals), and
a SKU twice in one file is an error of the second row. The admin shows a preview
with every row's error; a file with any error cannot be confirmed, so nothing
of it is saved.

A category is the product's own text (there is no table of categories): a cell
names one the catalog has by its name or its slug, in any case and spacing
("office supplies", "Office-Supplies"), and the product gets the catalog's
spelling; a name the catalog does not have yet starts a new category, as the
product form does, and later rows that name it the same way get the first
row's spelling. An empty cell leaves the product without a category; a file
without the column leaves categories as they are. A category longer than 60
characters or with control characters is the row's error.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from core.exports import safe_cell

from .models import Product, normal_sku


class PriceWidget(widgets.DecimalWidget):
    """A price as typed in a spreadsheet; anything that is not a number is the row's error."""

    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            return None
        try:
            price = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(_("Enter a number, such as 12.50.")) from None
        if not price.is_finite():
            raise ValueError(_("Enter a number, such as 12.50."))
        return price


def category_key(name: str) -> str:
    """What two spellings of one category share: its slug (case, spaces and dashes aside)."""
    return slugify(name, allow_unicode=True) or name.casefold()


class CategoryWidget(widgets.CharWidget):
    """A category as typed in a spreadsheet, given the spelling the catalog (or an earlier
    row of the file) has for it."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.known: dict[str, str] = {}

    def clean(self, value, row=None, **kwargs):
        text = " ".join(str(value or "").split())
        if not text:
            return ""
        max_length = Product._meta.get_field("category").max_length
        if len(text) > max_length or not text.isprintable():
            raise ValueError(
                _("A category is at most %(max)s printable characters.") % {"max": max_length}
            )
        return self.known.setdefault(category_key(text), text)


class ProductResource(resources.ModelResource):
    unit_price = fields.Field(
        attribute="unit_price", column_name="unit_price", widget=PriceWidget()
    )
    category = fields.Field(attribute="category", column_name="category", widget=CategoryWidget())
    is_active = fields.Field(
        attribute="is_active", column_name="is_active", widget=widgets.BooleanWidget()
    )

    class Meta:
        model = Product
        fields = ("sku", "name", "description", "category", "unit_price", "is_active")
        export_order = fields
        import_id_fields = ("sku",)
        clean_model_instances = True  # the model's validation, row by row
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def import_data(self, dataset, **kwargs):
        # All or nothing, from the admin (which asks for it) and from code alike.
        kwargs.setdefault("rollback_on_validation_errors", True)
        return super().import_data(dataset, **kwargs)

    def before_import(self, dataset, **kwargs):
        self._seen_skus: dict[str, int] = {}
        categories = Product.objects.exclude(category="").values_list("category", flat=True)
        known = self.fields["category"].widget.known
        known.clear()
        for name in categories.order_by("category").distinct():
            known.setdefault(category_key(name), name)
        if "sku" not in (dataset.headers or []):
            raise ValidationError(_("The file needs a column named “sku”."))

    def before_import_row(self, row, **kwargs):
        sku = normal_sku(str(row.get("sku") or ""))
        row["sku"] = sku
        number = kwargs.get("row_number")
        if not sku:
            raise ValidationError({"sku": _("A SKU is required.")})
        if sku in self._seen_skus:
            raise ValidationError(
                {
                    "sku": _("%(sku)s is already on row %(row)s of this file.")
                    % {"sku": sku, "row": self._seen_skus[sku]}
                }
            )
        self._seen_skus[sku] = number

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        # a name such as "=HYPERLINK(...)" must not run in the spreadsheet it lands in
        return safe_cell(value) if isinstance(value, str) else value
