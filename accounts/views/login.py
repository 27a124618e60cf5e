"""Logging in: the password, then (when two-factor is on) a code."""

import time

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from companies.models import User

from .. import throttle
from ..forms import CodeForm, LoginForm
from ..middleware import mark_verified
from ..selectors import two_factor_enabled
from ..services import two_factor_check

# The person who gave the right password and still owes a code, for this long.
PENDING_LOGIN = "accounts_pending_login"
PENDING_SECONDS = 300


class LoginView(auth_views.LoginView):
    """Django's login; a person with two-factor on is logged in only after the code."""

    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if not two_factor_enabled(user=user):
            return super().form_valid(form)
        self.request.session[PENDING_LOGIN] = {
            "user": user.pk,
            "backend": user.backend,
            "at": int(time.time()),
            "next": self.get_success_url(),
        }
        return redirect("accounts:login_code")


def _pending_login(request) -> tuple[User, dict] | None:
    pending = request.session.get(PENDING_LOGIN)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
    return (user, pending) if user is not None else None


@never_cache
@sensitive_post_parameters("code")
def login_code(request):
    """The second step of a login: the authenticator's code, or a recovery code."""
    if request.user.is_authenticated:
        return redirect("home")
    found = _pending_login(request)
    if found is None:
        request.session.pop(PENDING_LOGIN, None)
        messages.info(request, _("Log in with your email address and password first."))
        return redirect("login")
    user, pending = found
    form = CodeForm(request.POST or None)
    context = {"form": form, "person": user}
    if throttle.locked(request, user.email):
        context.update(form=None, locked_out=throttle.lockout_message())
        return render(request, "accounts/login_code.html", context, status=429)
    if request.method == "POST" and form.is_valid():
        check = two_factor_check(user=user, code=form.cleaned_data["code"])
        if check is None:
            throttle.failed(request, user.email)
            form.add_error("code", _("That code did not work. Try the one the app shows now."))
        else:
            request.session.pop(PENDING_LOGIN, None)
            auth_login(request, user, backend=pending["backend"])
            if check.device is not None:
                django_otp.login(request, check.device)
            mark_verified(request.session)
            if check.codes_left is not None:
                messages.warning(
                    request,
                    ngettext(
                        "You logged in with a recovery code; %(n)d is left. "
                        "Make new ones under My account.",
                        "You logged in with a recovery code; %(n)d are left. "
                        "Make new ones under My account.",
                        check.codes_left,
                    )
                    % {"n": check.codes_left},
                )
            return redirect(pending.get("next") or settings.LOGIN_REDIRECT_URL)
    return render(request, "accounts/login_code.html", context)
