from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV

from core.admin import money_field

from .models import Product, normal_sku
from .resources import ProductResource


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = ("sku", "name", "description", "category", "unit_price", "is_active")

    def clean_sku(self):
        return normal_sku(self.cleaned_data["sku"])


@admin.register(Product)
class ProductAdmin(ImportExportModelAdmin):
    """Products one by one, or many at once from a CSV file (Import / Export buttons)."""

    form = ProductForm
    resource_classes = [ProductResource]
    import_template_name = "admin/catalog/product/import.html"
    list_display = ("sku", "name", "category", "unit_price_shown", "is_active", "updated_at")
    unit_price_shown = money_field("unit_price", _("unit price"))
    list_filter = ("is_active", "category")
    list_editable = ("is_active",)
    search_fields = ("sku", "name")
    ordering = ("sku",)

    def get_import_formats(self):
        return [CSV]

    def get_export_formats(self):
        return [CSV]

    # Importing adds and changes products; exporting reads them.
    def has_import_permission(self, request):
        return request.user.has_perms(["catalog.add_product", "catalog.change_product"])

    def has_export_permission(self, request):
        return request.user.has_perm("catalog.view_product")
