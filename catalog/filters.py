import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Product
from .selectors import SEARCH_MAX_LENGTH, product_categories, product_search


class ProductFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("SKU or name"), method="search", max_length=SEARCH_MAX_LENGTH
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"),
        choices=[],
        empty_label=_("All categories"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    class Meta:
        model = Product
        fields: list[str] = []

    def __init__(self, *args, company_id: int | None, **kwargs):
        super().__init__(*args, **kwargs)
        categories = product_categories(company_id=company_id)
        self.filters["category"].extra["choices"] = [(c, c) for c in categories]

    def search(self, queryset, name, value):
        return product_search(q=value, queryset=queryset)
