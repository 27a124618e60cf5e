"""Account pages: logging in with a second factor, invitations, passwords, the person's
own account, and a company administrator's people."""

import io
import time
from base64 import b32encode

import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST, require_safe

from companies.models import User
from core.domain import DomainError, InvalidInput
from core.forms import form_problem, show_domain_error
from core.http import answer_refusal
from core.submissions import AlreadySubmitted
from notifications.forms import PreferencesForm
from notifications.selectors import email_kinds_for, notification_preference_for_user
from notifications.services import notification_preferences_update

from . import throttle
from .forms import (
    ChangePasswordForm,
    CodeForm,
    InvitationAcceptForm,
    InviteForm,
    LoginForm,
    PasswordConfirmForm,
    PeopleSearchForm,
    ProfileForm,
    ResetRequestForm,
    TwoFactorSetupForm,
    VersionForm,
)
from .middleware import mark_verified
from .selectors import (
    DEACTIVATED,
    EXPIRED,
    INVALID,
    LinkCheck,
    company_approval_setup,
    company_people,
    company_person,
    invitation_check,
    invitation_login,
    is_company_admin,
    person_waiting_orders,
    two_factor_enabled,
    two_factor_for,
)
from .services import (
    invitation_accept,
    invitation_renew,
    invitation_resend,
    invitation_revoke,
    invitation_send,
    new_secret,
    password_reset_request,
    pending_device,
    person_deactivate,
    person_reactivate,
    problem_message,
    profile_update,
    recovery_codes_replace,
    two_factor_check,
    two_factor_disable,
    two_factor_enable,
    two_factor_required,
)

# --- Logging in: the password, then (when two-factor is on) a code -------------------

# The person who gave the right password and still owes a code, for this long.
PENDING_LOGIN = "accounts_pending_login"
PENDING_SECONDS = 300
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


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


# --- Forgotten passwords (Django's views, the email through the outbox) ---------------


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


# --- My account -----------------------------------------------------------------------


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


# --- Two-factor -------------------------------------------------------------------------

SETUP_SECRET = "accounts_two_factor_secret"  # noqa: S105 - a session key


def _setup_secret(session) -> str:
    """The authenticator secret being set up in this session (a new one on first use)."""
    secret = session.get(SETUP_SECRET)
    if not isinstance(secret, str):
        secret = session[SETUP_SECRET] = new_secret()
    return secret


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
        try:
            codes = two_factor_enable(user=user, secret=secret, **form.cleaned_data)
        except InvalidInput as exc:
            show_domain_error(exc, form)
        except DomainError as exc:
            request.session.pop(SETUP_SECRET, None)
            return answer_refusal(request, exc, back=reverse("accounts:two_factor"))
        else:
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
    try:
        two_factor_disable(user=request.user, password=form.cleaned_data["password"])
    except DomainError as exc:
        return answer_refusal(request, exc, back=back)
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
    try:
        codes = recovery_codes_replace(user=request.user, password=form.cleaned_data["password"])
    except DomainError as exc:
        return answer_refusal(request, exc, back=back)
    context = _account_context(request, section="two_factor", codes=codes, fresh=False)
    return render(request, "accounts/recovery_codes.html", context)


# --- Invitations: the invited person's side ---------------------------------------------

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
            try:
                user = invitation_accept(
                    invitation_id=invitation_id,
                    token=request.session[HELD_INVITATION]["token"],
                    password=form.cleaned_data["new_password1"],
                    full_name=form.cleaned_data["full_name"],
                )
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                request.session.pop(HELD_INVITATION, None)
                throttle.clear(person.email)
                auth_login(request, user, backend=MODEL_BACKEND)
                messages.success(
                    request,
                    _("Welcome, %(name)s. Your password is set; this is your dashboard.")
                    % {"name": user.full_name},
                )
                return redirect("home")
    context = {"form": form, "invitation": check.invitation, "person": person}
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
    try:
        renewed = invitation_renew(invitation_id=invitation_id, token=token or "")
    except DomainError as exc:
        context = {"message": str(exc), "invitation_id": invitation_id}
        return render(request, "accounts/invitation_problem.html", context)
    request.session.pop(HELD_INVITATION, None)
    context = {"email": renewed.user.email, "expires_at": renewed.expires_at}
    return render(request, "accounts/invitation_renewed.html", context)


# --- A company administrator's people ---------------------------------------------------


def _admin_required(user) -> None:
    if not is_company_admin(user):
        raise PermissionDenied(_("Only your company's administrators manage its people."))


def _rerouted(request, orders) -> None:
    if orders:
        numbers = ", ".join(order.number for order in orders)
        messages.info(
            request,
            ngettext(
                "%(n)d waiting order was routed again: %(numbers)s.",
                "%(n)d waiting orders were routed again: %(numbers)s.",
                len(orders),
            )
            % {"n": len(orders), "numbers": numbers},
        )


@login_required
@require_safe
def people(request):
    _admin_required(request.user)
    approval = company_approval_setup(admin=request.user)
    search = PeopleSearchForm(request.GET).term()
    context = {
        "people": company_people(
            admin=request.user, tiers=approval.tiers, search=search, page=request.GET.get("page")
        ),
        "search": search,
        "approval": approval,
    }
    return render(request, "accounts/people.html", context)


@login_required
def invite(request):
    _admin_required(request.user)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation = invitation_send(
                actor=request.user,
                email=data["email"],
                full_name=data["full_name"],
                job_title=data["job_title"],
                company_id=request.user.company_id,
                submission_key=form.submission_key(),
            )
        except AlreadySubmitted:
            messages.info(request, _("This invitation was sent already."))
            return redirect("accounts:people")
        except InvalidInput as exc:
            show_domain_error(exc, form)
        except DomainError as exc:
            return answer_refusal(request, exc, back=reverse("accounts:people"))
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s. The link works once, for %(days)d days.")
                % {"email": invitation.user.email, "days": settings.INVITATION_DAYS},
            )
            return redirect("accounts:people")
    return render(request, "accounts/invite.html", {"form": form, "days": settings.INVITATION_DAYS})


@login_required
def deactivate(request, user_id: int):
    """Confirm, then deactivate a colleague (their waiting approvals are routed again)."""
    _admin_required(request.user)
    person = company_person(admin=request.user, user_id=user_id)
    if person.user.pk == request.user.pk:
        raise PermissionDenied(
            _("You cannot deactivate yourself. Ask another administrator or a site admin.")
        )
    if request.method == "POST":
        try:
            done, rerouted = person_deactivate(actor=request.user, user_id=person.user.pk)
        except DomainError as exc:
            return answer_refusal(request, exc, back=reverse("accounts:people"))
        messages.success(
            request, _("%(person)s was deactivated and can no longer log in.") % {"person": done}
        )
        _rerouted(request, rerouted)
        return redirect("accounts:people")
    if person.state == DEACTIVATED:
        messages.info(request, _("%(person)s is deactivated already.") % {"person": person.user})
        return redirect("accounts:people")
    context = {"person": person, "waiting": person_waiting_orders(user=person.user)}
    return render(request, "accounts/person_deactivate.html", context)


@login_required
@require_POST
def reactivate(request, user_id: int):
    _admin_required(request.user)
    person = company_person(admin=request.user, user_id=user_id)
    try:
        done, invitation, rerouted = person_reactivate(actor=request.user, user_id=person.user.pk)
    except DomainError as exc:
        return answer_refusal(request, exc, back=reverse("accounts:people"))
    if invitation is not None:
        messages.success(
            request,
            _("%(person)s is active again and was sent a new invitation.") % {"person": done},
        )
    else:
        messages.success(request, _("%(person)s can log in again.") % {"person": done})
    _rerouted(request, rerouted)
    return redirect("accounts:people")


def _invitation_action(request, user_id: int, service, done_message: str):
    _admin_required(request.user)
    person = company_person(admin=request.user, user_id=user_id)
    form = VersionForm(request.POST)
    back = reverse("accounts:people")
    if not form.is_valid():
        messages.error(request, form_problem(form))
        return redirect(back)
    try:
        service(
            actor=request.user, user_id=person.user.pk, seen_version=form.cleaned_data["version"]
        )
    except DomainError as exc:
        return answer_refusal(request, exc, back=back)
    messages.success(request, done_message % {"person": person.user, "email": person.user.email})
    return redirect(back)


@login_required
@require_POST
def resend(request, user_id: int):
    return _invitation_action(
        request,
        user_id,
        invitation_resend,
        _("A new link was sent to %(email)s; the earlier ones no longer work."),
    )


@login_required
@require_POST
def revoke(request, user_id: int):
    return _invitation_action(
        request,
        user_id,
        invitation_revoke,
        _("The invitation of %(person)s was withdrawn; their link no longer works."),
    )
