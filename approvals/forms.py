import re
from datetime import datetime, time, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Decision
from .services.decisions import MAX_BULK

# "<step id>:<order version seen>", ASCII digits only, of sane length.
STEP_AND_VERSION = re.compile(r"(?P<step>[0-9]{1,18}):(?P<version>[0-9]{1,9})")


class DecisionForm(forms.Form):
    """Approve or reject the step the person saw, at the version they saw."""

    step = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    decision = forms.ChoiceField(choices=Decision.choices, widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        help_text=_("Required to reject or to ask for changes: the buyer reads it."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == Decision.APPROVE


class StepVersionsField(forms.Field):
    """Checked rows of a queue, each posted as "<step id>:<version seen>"."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Select at least one order."),
        "invalid": _("The selection could not be read; nothing was changed."),
        "too_many": _("Approve at most %(max)d orders at once."),
    }

    def to_python(self, value) -> list[tuple[int, int]]:
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        items = []
        for raw in value:
            match = STEP_AND_VERSION.fullmatch(str(raw))
            if match is None:
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            items.append((int(match["step"]), int(match["version"])))
        if len(items) > MAX_BULK:
            raise ValidationError(
                self.error_messages["too_many"], code="too_many", params={"max": MAX_BULK}
            )
        return items


class BulkApproveForm(forms.Form):
    """The selected rows of a queue, approved (or rejected, with one comment for all)."""

    steps = StepVersionsField()
    decision = forms.ChoiceField(
        choices=[(Decision.APPROVE, _("Approve")), (Decision.REJECT, _("Reject"))],
        required=False,
        widget=forms.HiddenInput,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs={"placeholder": _("Added to every decision")}),
    )


class EmailDecisionForm(forms.Form):
    """The comment with a decision taken from an email link (the link names the rest)."""

    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        help_text=_("Required to reject or to ask for changes: the buyer reads it."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AwayForm(forms.Form):
    """A period away: who decides meanwhile, from which day, until which day (inclusive)."""

    delegate = forms.ModelChoiceField(
        label=_("Who decides for me"),
        queryset=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    starts_on = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )
    ends_on = forms.DateField(
        label=_("Until (inclusive)"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delegate"].queryset = candidates

    def period(self) -> tuple[datetime, datetime]:
        """From the start of the first day to the end of the last, in the portal's time zone."""
        start = timezone.make_aware(datetime.combine(self.cleaned_data["starts_on"], time.min))
        end = timezone.make_aware(
            datetime.combine(self.cleaned_data["ends_on"] + timedelta(days=1), time.min)
        )
        return start, end


class CancelAwayForm(forms.Form):
    delegation = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
