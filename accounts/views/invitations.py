"""Invitations: the invited person's side."""

from functools import partial

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST, require_safe

from core.domain import DomainError
from core.refusals import page_refusals, show_refusal

from .. import throttle
from ..forms import InvitationAcceptForm
from ..selectors import EXPIRED, INVALID, LinkCheck, invitation_check, invitation_login
from ..services import invitation_accept, invitation_renew, problem_message

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"

HELD_INVITATION = "accounts_invitation"


def _problem_page(request, check: LinkCheck, invitation_id: int, *, status: int = 200):
    context = {
        "problem": check.problem,
        "message": problem_message(check.problem, check.invitation),
        "invitation_id": invitation_id,
        "can_renew": check.problem == EXPIRED,
    }
    return render(request, "accounts/invitation_problem.html", context, status=status)


def _locked_page(request, invitation_id: int):
    context = {"locked_out": throttle.lockout_message(), "invitation_id": invitation_id}
    return render(request, "accounts/invitation_problem.html", context, status=429)


def _renew_refused(request, invitation_id: int, refusal: DomainError):
    context = {"message": str(refusal), "invitation_id": invitation_id}
    return render(request, "accounts/invitation_problem.html", context)


def _held(request, invitation_id: int) -> LinkCheck:
    """The link this browser opened for the invitation, checked again."""
    held = request.session.get(HELD_INVITATION)
    if not isinstance(held, dict) or held.get("id") != invitation_id:
        return LinkCheck(None, INVALID)
    token = held.get("token")
    if not isinstance(token, str):
        return LinkCheck(None, INVALID)
    return invitation_check(invitation_id=invitation_id, token=token)


@never_cache
@require_safe
def invitation(request, invitation_id: int, token: str):
    """The link in the email: kept in the session, then the form at a URL without it
    (so the token never leaks in a Referer header)."""
    login = invitation_login(invitation_id=invitation_id)
    if throttle.locked(request, login):
        return _locked_page(request, invitation_id)
    check = invitation_check(invitation_id=invitation_id, token=token)
    if check.problem == INVALID:
        throttle.failed(request, login)
        return _problem_page(request, check, invitation_id)
    request.session[HELD_INVITATION] = {"id": invitation_id, "token": token}
    if check.problem:
        return _problem_page(request, check, invitation_id)
    return redirect("accounts:invitation_accept", invitation_id=invitation_id)


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
def invitation_accept_view(request, invitation_id: int):
    check = _held(request, invitation_id)
    if check.problem:
        return _problem_page(request, check, invitation_id)
    person = check.invitation.user
    form = InvitationAcceptForm(
        person, request.POST or None, initial={"full_name": person.full_name}
    )
    if request.method == "POST":
        if throttle.locked(request, person.email):
            return _locked_page(request, invitation_id)
        if form.is_valid():
            # Refused (the link was used or withdrawn meanwhile): said on top of the form.
            refused = partial(_accept_page, request, check, form)
            with page_refusals(request, answer=refused):
                user = invitation_accept(
                    invitation_id=invitation_id,
                    token=request.session[HELD_INVITATION]["token"],
                    password=form.cleaned_data["new_password1"],
                    full_name=form.cleaned_data["full_name"],
                )
                request.session.pop(HELD_INVITATION, None)
                throttle.clear(person.email)
                auth_login(request, user, backend=MODEL_BACKEND)
                messages.success(
                    request,
                    _("Welcome, %(name)s. Your password is set; this is your dashboard.")
                    % {"name": user.full_name},
                )
                return redirect("home")
    return _accept_page(request, check, form)


def _accept_page(request, check: LinkCheck, form, refusal: DomainError | None = None):
    if refusal is not None:
        show_refusal(refusal, form)
    context = {"form": form, "invitation": check.invitation, "person": check.invitation.user}
    return render(request, "accounts/invitation_accept.html", context)


@never_cache
@require_POST
def invitation_renew_view(request, invitation_id: int):
    """The person's link expired: send a new one to the same address."""
    login = invitation_login(invitation_id=invitation_id)
    if throttle.locked(request, login):
        return _locked_page(request, invitation_id)
    throttle.failed(request, login)  # each new link counts, like a reset request
    held = request.session.get(HELD_INVITATION)
    token = held.get("token") if isinstance(held, dict) and held.get("id") == invitation_id else ""
    with page_refusals(request, answer=partial(_renew_refused, request, invitation_id)):
        renewed = invitation_renew(invitation_id=invitation_id, token=token or "")
    request.session.pop(HELD_INVITATION, None)
    context = {"email": renewed.user.email, "expires_at": renewed.expires_at}
    return render(request, "accounts/invitation_renewed.html", context)
