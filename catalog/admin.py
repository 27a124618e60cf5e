from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import money_field

from .models import Product


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = ("sku", "name", "description", "unit_price", "is_active")

    def clean_sku(self):
        return self.cleaned_data["sku"].strip().upper()


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    form = ProductForm
    list_display = ("sku", "name", "unit_price_shown", "is_active", "updated_at")
    unit_price_shown = money_field("unit_price", _("unit price"))
    list_filter = ("is_active",)
    list_editable = ("is_active",)
    search_fields = ("sku", "name")
    ordering = ("sku",)
