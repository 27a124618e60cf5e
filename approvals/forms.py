import re

from django import forms
from django.core.exceptions import ValidationError
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
    steps = StepVersionsField()
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs={"placeholder": _("Added to every approval")}),
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
