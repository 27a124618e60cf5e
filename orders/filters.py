import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Order, OrderStatus


class OrderFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=OrderStatus.choices,
        empty_label=_("Any status"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    mine = django_filters.BooleanFilter(
        label=_("Placed by me"), method="filter_mine", widget=django_filters.widgets.BooleanWidget
    )
    number = django_filters.CharFilter(
        label=_("Number"),
        lookup_expr="icontains",
        widget=forms.TextInput(
            attrs={"class": "form-control", "type": "search", "placeholder": "PO-…"}
        ),
    )

    class Meta:
        model = Order
        fields = ["status", "number"]

    def filter_mine(self, queryset, name, value):
        if value:
            return queryset.filter(placed_by=self.request.user)
        return queryset
