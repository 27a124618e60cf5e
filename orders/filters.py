import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.selectors import SEARCH_MAX_LENGTH
from core.search import filter_from_day, filter_to_day

from .models import Order, OrderStatus
from .selectors import order_search


class OrderFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search orders"),
        method="search",
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "type": "search",
                "placeholder": _("Number, buyer, SKU or product"),
            }
        ),
    )
    status = django_filters.ChoiceFilter(
        choices=OrderStatus.choices,
        empty_label=_("Any status"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    placed_from = django_filters.DateFilter(
        label=_("Placed from"),
        method="filter_from",
        widget=forms.DateInput(attrs={"class": "form-control", "type": "date"}),
    )
    placed_to = django_filters.DateFilter(
        label=_("Placed until"),
        method="filter_to",
        widget=forms.DateInput(attrs={"class": "form-control", "type": "date"}),
    )
    mine = django_filters.BooleanFilter(
        label=_("Placed by me"), method="filter_mine", widget=django_filters.widgets.BooleanWidget
    )
    # Links from before the search box: a number (or part of one).
    number = django_filters.CharFilter(
        label=_("Number"),
        lookup_expr="icontains",
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Order
        fields = ["q", "status", "number"]

    def search(self, queryset, name, value):
        return order_search(queryset=queryset, q=value, user=self.request.user)

    def filter_from(self, queryset, name, value):
        return filter_from_day(queryset, "created_at", value)

    def filter_to(self, queryset, name, value):
        return filter_to_day(queryset, "created_at", value)

    def filter_mine(self, queryset, name, value):
        if value:
            return queryset.filter(placed_by=self.request.user)
        return queryset
