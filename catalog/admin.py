from django import forms
from django.contrib import admin

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
    list_display = ("sku", "name", "unit_price", "is_active", "updated_at")
    list_filter = ("is_active",)
    list_editable = ("is_active",)
    search_fields = ("sku", "name")
    ordering = ("sku",)
