"""The shape of what people type on the account pages; the rules are the services'."""

from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.utils.translation import gettext_lazy as _

from core.forms import FormSet, SubmissionForm

NAME_MAX = 150
EMAIL_MAX = 254  # the longest address there is (RFC 5321), and the column's length


def _clean_text(value: str) -> str:
    """One line of plain text: control characters (NUL included) are refused."""
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise forms.ValidationError(_("Use letters, digits and punctuation only."))
    return value.strip()


class NameFields(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=NAME_MAX)
    job_title = forms.CharField(label=_("Job title"), max_length=100, required=False)

    def clean_full_name(self):
        name = _clean_text(self.cleaned_data["full_name"])
        if not name:
            raise forms.ValidationError(_("Please give a name."))
        return name

    def clean_job_title(self):
        return _clean_text(self.cleaned_data.get("job_title") or "")


class ProfileForm(NameFields):
    """A person's own name and job title."""


class InviteForm(SubmissionForm, NameFields):
    """A colleague to invite: who they are and where the email goes."""

    email = forms.EmailField(label=_("Email address"), max_length=EMAIL_MAX)
    field_order = ["full_name", "email", "job_title"]

    def clean_email(self):
        return _clean_text(self.cleaned_data["email"]).lower()


class PeopleSearchForm(forms.Form):
    """The People page's search box: part of a name or an email."""

    q = forms.CharField(required=False, max_length=100, strip=True)

    def term(self) -> str:
        return self.cleaned_data["q"] if self.is_valid() else ""


class VersionForm(forms.Form):
    """The version of the invitation the page showed (absent: none was waiting)."""

    version = forms.IntegerField(min_value=1, max_value=2**31 - 1, required=False)


class NextForm(forms.Form):
    """Where Django admin wanted to go when it asked for a login."""

    next = forms.CharField(required=False, max_length=2000)


class LoginForm(AuthenticationForm):
    """Django's login form; the address is typed the way accounts are stored.

    Django sets the field's ``max_length`` after the field is built, so only the
    browser's ``maxlength`` knew it: a longer address went on to authentication and
    the lockout's record. Here it is refused first, and nothing looks it up or counts it.
    """

    def clean_username(self):
        username = self.cleaned_data["username"]
        if len(username) > EMAIL_MAX:
            raise forms.ValidationError(
                _("An email address has at most %(max)d characters; this one has %(length)s."),
                code="max_length",
                params={"max": EMAIL_MAX, "length": f"{len(username):,}"},
            )
        return username


class CodeForm(forms.Form):
    """The second step of a login: the authenticator's code, or a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
        help_text=_("The 6 digits your authenticator app shows, or one of your recovery codes."),
    )

    def clean_code(self):
        return _clean_text(self.cleaned_data["code"])


class PasswordConfirmForm(forms.Form):
    """The person's password again, before a change to how they log in."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TwoFactorSetupForm(PasswordConfirmForm):
    field_order = ["code", "password"]

    code = forms.CharField(
        label=_("Code from the app"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_code(self):
        return _clean_text(self.cleaned_data["code"])


class ResetRequestForm(PasswordResetForm):
    """Django's "forgot your password" form; sending is the service's, through the outbox."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=EMAIL_MAX,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def clean_email(self):
        return _clean_text(self.cleaned_data["email"]).lower()

    def save(self, *args, **kwargs):  # pragma: no cover - the view sends through the outbox
        raise NotImplementedError("Reset emails go through accounts.services.")


class InvitationAcceptForm(SetPasswordForm):
    """The invited person's name (to correct it) and the password they choose."""

    full_name = forms.CharField(label=_("Your full name"), max_length=NAME_MAX)
    field_order = ["full_name", "new_password1", "new_password2"]

    def clean_full_name(self):
        name = _clean_text(self.cleaned_data["full_name"])
        if not name:
            raise forms.ValidationError(_("Please give your name."))
        return name

    def save(self, commit=True):  # pragma: no cover - the service sets the password
        raise NotImplementedError("accounts.services.invitation_accept sets the password.")


class ChangePasswordForm(PasswordChangeForm):
    """Django's password change, with the current password first."""


# --- A company's details, kept by its administrators ---


class CompanyDetailsForm(forms.Form):
    # the details' version the page showed: a save over a newer one is refused
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    billing_address = forms.CharField(
        label=_("Billing address"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    vat_id = forms.CharField(label=_("VAT or tax id"), max_length=40, required=False)
    payment_terms = forms.CharField(
        label=_("Payment terms"),
        max_length=100,
        required=False,
        help_text=_("As agreed with the seller, e.g. 30 days net."),
    )


class AddressForm(forms.Form):
    id = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    label = forms.CharField(label=_("Name"), max_length=80, required=False)
    address = forms.CharField(
        label=_("Address"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    is_default = forms.BooleanField(label=_("Default"), required=False)

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not (data.get("id") or data.get("label") or data.get("address"))


class CentreForm(forms.Form):
    id = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    code = forms.CharField(label=_("Code"), max_length=40, required=False)
    name = forms.CharField(label=_("Name"), max_length=100, required=False)

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not (data.get("id") or data.get("code") or data.get("name"))


MAX_DETAIL_ROWS = 50

AddressFormSet = forms.formset_factory(
    AddressForm,
    formset=FormSet,
    extra=1,
    can_delete=True,
    max_num=MAX_DETAIL_ROWS,
    validate_max=True,
    absolute_max=MAX_DETAIL_ROWS,
)
CentreFormSet = forms.formset_factory(
    CentreForm,
    formset=FormSet,
    extra=1,
    can_delete=True,
    max_num=MAX_DETAIL_ROWS,
    validate_max=True,
    absolute_max=MAX_DETAIL_ROWS,
)
