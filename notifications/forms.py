from django import forms
from django.utils.translation import gettext_lazy as _


class PreferencesForm(forms.Form):
    reminders = forms.BooleanField(
        label=_("Send me reminders"),
        required=False,
        help_text=_(
            "Reminders about orders still waiting for my approval and offers about to expire. "
            "Emails about decisions, offers and messages are always sent."
        ),
    )
