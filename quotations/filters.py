import django_filters
from django.utils.translation import gettext_lazy as _

from companies.models import Company

from .models import WAITING_FOR, Quote, QuoteStatus, Side


def _statuses_waiting_for(side: str) -> list[str]:
    return [status for status, waits_for in WAITING_FOR.items() if waits_for == side]


class QuoteFilter(django_filters.FilterSet):
    """My quotes: by status, or only those waiting for us."""

    status = django_filters.ChoiceFilter(choices=QuoteStatus.choices, empty_label=_("Any status"))
    waiting = django_filters.BooleanFilter(
        label=_("Waiting for us"),
        method="filter_waiting",
        widget=django_filters.widgets.BooleanWidget,
    )

    class Meta:
        model = Quote
        fields = ["status"]

    def filter_waiting(self, queryset, name, value):
        if value:
            return queryset.filter(status__in=_statuses_waiting_for(Side.BUYER))
        return queryset


class QuoteDeskFilter(django_filters.FilterSet):
    """The desk: by status, company or number."""

    status = django_filters.ChoiceFilter(choices=QuoteStatus.choices, empty_label=_("Any status"))
    company = django_filters.ModelChoiceFilter(
        queryset=Company.objects.order_by("name"), empty_label=_("Any company")
    )
    number = django_filters.CharFilter(label=_("Number"), lookup_expr="icontains")

    class Meta:
        model = Quote
        fields = ["status", "company", "number"]
