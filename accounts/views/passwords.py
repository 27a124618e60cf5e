"""Forgotten passwords: Django's views, the email through the outbox."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy

from .. import throttle
from ..forms import ResetRequestForm
from ..services import password_reset_request


class PasswordResetView(auth_views.PasswordResetView):
    form_class = ResetRequestForm
    template_name = "accounts/password_reset_form.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        if throttle.locked(self.request, email):
            return self.render_to_response(
                self.get_context_data(form=form, locked_out=throttle.lockout_message()),
                status=429,
            )
        # Every request counts, known address or not: a flood of reset emails stops too.
        throttle.failed(self.request, email)
        password_reset_request(email=email)
        return redirect(self.success_url)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"

    def get_context_data(self, **kwargs):
        hours = max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)
        return super().get_context_data(hours=hours, **kwargs)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's: the link's token goes to the session, the form comes at a URL without it."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    post_reset_login = False

    def _login(self, uidb64: str) -> str:
        user = self.get_user(uidb64)
        return user.email if user is not None else f"reset-{uidb64[:40]}"

    def dispatch(self, request, *args, **kwargs):
        login = self._login(kwargs.get("uidb64", ""))
        if throttle.locked(request, login):
            self.validlink = False
            context = {"validlink": False, "locked_out": throttle.lockout_message()}
            return render(request, self.template_name, context, status=429)
        response = super().dispatch(request, *args, **kwargs)
        if not self.validlink and response.status_code == 200:
            throttle.failed(request, login)
        return response

    def form_valid(self, form):
        response = super().form_valid(form)
        throttle.clear(self.user.email)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
