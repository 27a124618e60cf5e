import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Product


class ProductFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("SKU or name"), method="search")

    class Meta:
        model = Product
        fields: list[str] = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(sku__icontains=value) | Q(name__icontains=value))
