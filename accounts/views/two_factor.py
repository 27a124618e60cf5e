"""Two-factor: setting it up, turning it off, recovery codes."""

import io
from base64 import b32encode
from functools import partial

import segno
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST, require_safe

from core.domain import DomainError
from core.forms import form_problem
from core.http import answer_refusal
from core.refusals import page_refusals

from ..forms import PasswordConfirmForm, TwoFactorSetupForm
from ..middleware import mark_verified
from ..selectors import two_factor_enabled, two_factor_for
from ..services import (
    new_secret,
    pending_device,
    recovery_codes_replace,
    two_factor_disable,
    two_factor_enable,
)
from .account import _account_context

SETUP_SECRET = "accounts_two_factor_secret"  # noqa: S105 - a session key


def _setup_secret(session) -> str:
    """The authenticator secret being set up in this session (a new one on first use)."""
    secret = session.get(SETUP_SECRET)
    if not isinstance(secret, str):
        secret = session[SETUP_SECRET] = new_secret()
    return secret


def _setup_anew(request, exc: DomainError):
    """Setting up was refused for more than a mistyped code or password (two-factor is
    on already, the setup expired): the page starts again with a new secret."""
    request.session.pop(SETUP_SECRET, None)
    return answer_refusal(request, exc, back=reverse("accounts:two_factor"))


def _key_for_people(device) -> str:
    """The secret as a person types it into an app: base32 in groups of four."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@login_required
@sensitive_post_parameters("password", "code")
def two_factor(request):
    """Two-factor: its state and what to do; setting it up when it is off."""
    user = request.user
    status = two_factor_for(user=user)
    context = _account_context(request, section="two_factor")
    if status.enabled:
        context.update(
            off_form=PasswordConfirmForm(prefix="off"),
            codes_form=PasswordConfirmForm(prefix="codes"),
        )
        return render(request, "accounts/two_factor.html", context)
    secret = _setup_secret(request.session)
    device = pending_device(user=user, secret=secret)
    form = TwoFactorSetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with page_refusals(request, show_on=form, answer=partial(_setup_anew, request)):
            codes = two_factor_enable(user=user, secret=secret, **form.cleaned_data)
            request.session.pop(SETUP_SECRET, None)
            user.refresh_from_db(fields=["password"])
            update_session_auth_hash(request, user)  # this session stays; the others end
            mark_verified(request.session)
            messages.success(
                request,
                _("Two-factor is on. Logging in now also takes a code from your app."),
            )
            context.update(codes=codes, fresh=True)
            return render(request, "accounts/recovery_codes.html", context)
    context.update(form=form, key=_key_for_people(device))
    return render(request, "accounts/two_factor.html", context)


@login_required
@require_safe
def two_factor_qr(request):
    """The QR code of the authenticator being set up, as an SVG image."""
    if two_factor_enabled(user=request.user):
        raise Http404
    device = pending_device(user=request.user, secret=_setup_secret(request.session))
    out = io.BytesIO()
    segno.make(device.config_url, error="m").save(out, kind="svg", scale=5, border=2)
    response = HttpResponse(out.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
@sensitive_post_parameters("off-password")
def two_factor_off(request):
    form = PasswordConfirmForm(request.POST, prefix="off")
    back = reverse("accounts:two_factor")
    if not form.is_valid():
        messages.error(request, form_problem(form))
        return redirect(back)
    with page_refusals(request, back=back):
        two_factor_disable(user=request.user, password=form.cleaned_data["password"])
    messages.success(request, _("Two-factor is off: your password alone logs you in."))
    return redirect(back)


@login_required
@require_POST
@sensitive_post_parameters("codes-password")
def recovery_codes(request):
    form = PasswordConfirmForm(request.POST, prefix="codes")
    back = reverse("accounts:two_factor")
    if not form.is_valid():
        messages.error(request, form_problem(form))
        return redirect(back)
    with page_refusals(request, back=back):
        codes = recovery_codes_replace(user=request.user, password=form.cleaned_data["password"])
    context = _account_context(request, section="two_factor", codes=codes, fresh=False)
    return render(request, "accounts/recovery_codes.html", context)
