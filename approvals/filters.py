import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import ApprovalStep, StepStatus


class ApprovalQueueFilter(django_filters.FilterSet):
    """The approver's queue by buyer and by amount (inclusive bounds)."""

    # A name or email typed, not a list of the company's people: a company of a
    # thousand contacts would send a thousand options with every queue page.
    buyer = django_filters.CharFilter(
        label=_("Buyer"),
        method="by_buyer",
        max_length=100,
        widget=forms.TextInput(
            attrs={"class": "form-control", "placeholder": _("Name or email"), "type": "search"}
        ),
    )
    total_min = django_filters.NumberFilter(
        label=_("Total from"),
        field_name="order__total",
        lookup_expr="gte",
        min_value=0,
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.01", "min": 0}),
    )
    total_max = django_filters.NumberFilter(
        label=_("Total up to"),
        field_name="order__total",
        lookup_expr="lte",
        min_value=0,
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.01", "min": 0}),
    )

    class Meta:
        model = ApprovalStep
        fields: list[str] = []

    def by_buyer(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(order__placed_by__full_name__icontains=value)
            | Q(order__placed_by__email__icontains=value)
        )


class DecidedFilter(django_filters.FilterSet):
    decision = django_filters.ChoiceFilter(
        label=_("Decision"),
        field_name="status",
        choices=[
            (StepStatus.APPROVED, _("Approved")),
            (StepStatus.REJECTED, _("Rejected")),
            (StepStatus.VOID, _("Void after a change")),
        ],
        empty_label=_("Any decision"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    class Meta:
        model = ApprovalStep
        fields: list[str] = []
