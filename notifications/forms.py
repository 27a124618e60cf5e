from django import forms
from django.utils.translation import gettext_lazy as _

from .kinds import email_kind_for


class PreferencesForm(forms.Form):
    emailed = forms.MultipleChoiceField(
        label=_("Email me about"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Orders waiting for your approval are always emailed. Everything appears "
            "under Notifications, emailed or not."
        ),
    )

    def __init__(self, *args, kinds: tuple[str, ...], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["emailed"].choices = [(kind, email_kind_for(kind).label) for kind in kinds]


class MarkReadForm(forms.Form):
    """Where to go back to: the inbox page the person was on."""

    page = forms.IntegerField(min_value=1, max_value=10_000, required=False)


class MarkAllReadForm(MarkReadForm):
    # the newest entry the page showed: one that arrived since stays unread
    up_to = forms.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
