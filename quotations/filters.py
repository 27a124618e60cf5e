import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.selectors import SEARCH_MAX_LENGTH
from companies.models import Company
from core.search import filter_from_day, filter_to_day

from .models import WAITING_FOR, Quote, QuoteStatus, Side
from .selectors import quote_search


def _statuses_waiting_for(side: str) -> list[str]:
    return [status for status, waits_for in WAITING_FOR.items() if waits_for == side]


class QuoteFilter(django_filters.FilterSet):
    """My quotes: one search box, by status and date asked, or only those waiting for us."""

    q = django_filters.CharFilter(
        label=_("Search quotes"),
        method="search",
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "type": "search",
                "placeholder": _("Number, person, SKU or product"),
            }
        ),
    )
    asked_from = django_filters.DateFilter(
        label=_("Asked from"),
        method="filter_from",
        widget=forms.DateInput(attrs={"class": "form-control", "type": "date"}),
    )
    asked_to = django_filters.DateFilter(
        label=_("Asked until"),
        method="filter_to",
        widget=forms.DateInput(attrs={"class": "form-control", "type": "date"}),
    )
    status = django_filters.ChoiceFilter(
        choices=QuoteStatus.choices,
        empty_label=_("Any status"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    waiting = django_filters.BooleanFilter(
        label=_("Waiting for us"),
        method="filter_waiting",
        widget=django_filters.widgets.BooleanWidget,
    )

    class Meta:
        model = Quote
        fields = ["q", "status"]

    def search(self, queryset, name, value):
        return quote_search(queryset=queryset, q=value, user=self.request.user)

    def filter_from(self, queryset, name, value):
        return filter_from_day(queryset, "created_at", value)

    def filter_to(self, queryset, name, value):
        return filter_to_day(queryset, "created_at", value)

    def filter_waiting(self, queryset, name, value):
        if value:
            return queryset.filter(status__in=_statuses_waiting_for(Side.BUYER))
        return queryset


class QuoteDeskFilter(django_filters.FilterSet):
    """The desk: by status, company or number."""

    status = django_filters.ChoiceFilter(
        choices=QuoteStatus.choices,
        empty_label=_("Any status"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    # By name as typed: a list of every company would grow with the customer base
    # (10,000 options cost a second per page). A link may still pass an id.
    company_name = django_filters.CharFilter(
        label=_("Company"),
        field_name="company__name",
        lookup_expr="icontains",
        widget=forms.TextInput(attrs={"class": "form-control", "type": "search"}),
    )
    company = django_filters.ModelChoiceFilter(
        queryset=Company.objects.all(), widget=forms.HiddenInput
    )
    number = django_filters.CharFilter(
        label=_("Number"),
        lookup_expr="icontains",
        widget=forms.TextInput(
            attrs={"class": "form-control", "type": "search", "placeholder": "Q-…"}
        ),
    )

    class Meta:
        model = Quote
        fields = ["status", "company", "number"]
