"""A company administrator's people: inviting, deactivating, links sent again."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from core.forms import form_problem
from core.refusals import page_refusals

from ..forms import InviteForm, PeopleSearchForm, VersionForm
from ..selectors import (
    DEACTIVATED,
    company_approval_setup,
    company_people,
    company_person,
    is_company_admin,
    person_waiting_orders,
)
from ..services import (
    invitation_resend,
    invitation_revoke,
    invitation_send,
    person_deactivate,
    person_reactivate,
)


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
        people = reverse("accounts:people")
        with page_refusals(
            request,
            back=people,
            show_on=form,
            already=lambda _first: people,
            already_says=_("This invitation was sent already."),
        ):
            invitation = invitation_send(
                actor=request.user,
                email=data["email"],
                full_name=data["full_name"],
                job_title=data["job_title"],
                company_id=request.user.company_id,
                submission_key=form.submission_key(),
            )
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
        with page_refusals(request, back=reverse("accounts:people")):
            done, rerouted = person_deactivate(actor=request.user, user_id=person.user.pk)
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
    with page_refusals(request, back=reverse("accounts:people")):
        done, invitation, rerouted = person_reactivate(actor=request.user, user_id=person.user.pk)
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
    with page_refusals(request, back=back):
        service(
            actor=request.user, user_id=person.user.pk, seen_version=form.cleaned_data["version"]
        )
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
