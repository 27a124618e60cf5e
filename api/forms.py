from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import SubmissionForm

EXPIRY_CHOICES = [
    ("30", _("30 days")),
    ("90", _("90 days")),
    ("365", _("1 year")),
    ("never", _("Never")),
]


class TokenForm(SubmissionForm):
    """A new token: its name and how long it works."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What uses it, e.g. “ERP sync”."),
    )
    expiry = forms.ChoiceField(label=_("Expires after"), choices=EXPIRY_CHOICES, initial="90")

    def days(self) -> int | None:
        value = self.cleaned_data["expiry"]
        return None if value == "never" else int(value)
