import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ApprovalStep, StepStatus
from .selectors import approval_buyer_choices


def _buyers(request):
    return approval_buyer_choices(user=request.user)


class ApprovalQueueFilter(django_filters.FilterSet):
    """The approver's queue by buyer and by amount (inclusive bounds)."""

    buyer = django_filters.ModelChoiceFilter(
        label=_("Buyer"),
        field_name="order__placed_by",
        queryset=_buyers,
        empty_label=_("Any buyer"),
        widget=forms.Select(attrs={"class": "form-select"}),
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
