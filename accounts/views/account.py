"""My account: the person's name, password and email preferences."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from notifications.forms import PreferencesForm
from notifications.selectors import email_kinds_for, notification_preference_for_user
from notifications.services import notification_preferences_update

from ..forms import ChangePasswordForm, ProfileForm
from ..selectors import two_factor_for
from ..services import profile_update, two_factor_required


def _account_context(request, **extra) -> dict:
    user = request.user
    return {
        "two_factor": two_factor_for(user=user),
        "two_factor_required": two_factor_required(user),
        "section": extra.pop("section", "account"),
        **extra,
    }


@login_required
def account(request):
    user = request.user
    form = ProfileForm(
        request.POST or None, initial={"full_name": user.full_name, "job_title": user.job_title}
    )
    if request.method == "POST" and form.is_valid():
        profile_update(user=user, **form.cleaned_data)
        messages.success(request, _("Your name was saved."))
        return redirect("accounts:account")
    return render(request, "accounts/account.html", _account_context(request, form=form))


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's: this session stays; every other session of the person ends."""

    form_class = ChangePasswordForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(
            self.request,
            _("Your password was changed. Everywhere else you were logged in, you are logged out."),
        )
        return response

    def get_context_data(self, **kwargs):
        return super().get_context_data(section="password", **kwargs)


@login_required
def preferences(request):
    """Which kinds of events also email the person (moved here from the inbox)."""
    kinds = email_kinds_for(user=request.user)
    current = notification_preference_for_user(user=request.user)
    form = PreferencesForm(
        request.POST if request.method == "POST" else None,
        kinds=kinds,
        initial={"emailed": [kind for kind in kinds if current.wants_email(kind)]},
    )
    if request.method == "POST" and form.is_valid():
        notification_preferences_update(user=request.user, emailed=form.cleaned_data["emailed"])
        messages.success(request, _("Your email preferences were saved."))
        return redirect("accounts:preferences")
    return render(request, "accounts/preferences.html", {"form": form, "section": "email"})
