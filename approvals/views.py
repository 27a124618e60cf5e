from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from companies.roles import DECIDE_FOR_SITE_ADMINS
from core.domain import DomainError, InvalidInput, StaleVersion
from core.pagination import paginate
from core.refusals import fragment_refusals, page_refusals
from orders.models import Channel, Order, OrderStatus
from orders.selectors import order_get

from .filters import ApprovalQueueFilter, DecidedFilter
from .forms import AwayForm, BulkApproveForm, CancelAwayForm, DecisionForm, EmailDecisionForm
from .links import LinkRefused, decision_link_needs_login, decision_link_read
from .models import NEEDS_COMMENT, Decision
from .selectors import (
    approval_changes_for,
    approval_decided_by,
    approval_nav_for,
    approval_order_for_user,
    approval_progress_for,
    approval_queue_for,
    approval_staff_queue,
    approval_step_of_order,
    delegation_candidates,
    delegation_current_for,
    delegation_received_by,
)
from .services import (
    approval_step_decide,
    approval_steps_bulk_decide,
    delegation_cancel,
    delegation_plan,
)


def _staff_required(user) -> None:
    if not (user.is_staff and user.has_perm(DECIDE_FOR_SITE_ADMINS)):
        raise PermissionDenied(_("Only site admins decide orders that need a site admin."))


@login_required
@require_safe
def queue(request):
    if request.user.is_staff:
        return redirect("approvals:staff_queue")
    queue_filter = ApprovalQueueFilter(
        request.GET, queryset=approval_queue_for(user=request.user), request=request
    )
    page = paginate(queue_filter.qs, request.GET.get("page"))
    # Someone no tier names, with nothing left in a queue: say so, not an empty queue.
    not_approver = not page.object_list and not approval_nav_for(user=request.user).is_approver
    return render(
        request,
        "approvals/step_queue.html",
        {
            "filter": queue_filter,
            "page": page,
            "bulk_form": BulkApproveForm(),
            "not_approver": not_approver,
        },
    )


@login_required
@require_safe
def staff_queue(request):
    _staff_required(request.user)
    page = paginate(approval_staff_queue(), request.GET.get("page"))
    return render(
        request, "approvals/step_staff_queue.html", {"page": page, "bulk_form": BulkApproveForm()}
    )


@login_required
@require_safe
def history(request):
    decided_filter = DecidedFilter(request.GET, queryset=approval_decided_by(user=request.user))
    page = paginate(decided_filter.qs, request.GET.get("page"))
    return render(request, "approvals/step_history.html", {"filter": decided_filter, "page": page})


def _order_page(request, order, form=None, status=200):
    progress = approval_progress_for(order=order, user=request.user)
    if form is not None and not progress.can_decide:
        # A refused form from someone who may not decide: say no, not what was wrong.
        raise PermissionDenied(_("This order is not waiting for you."))
    if form is None and progress.can_decide:
        form = DecisionForm(initial={"step": progress.open_step.pk, "version": order.version})
    return render(
        request,
        "approvals/order_decide.html",
        {
            "order": order,
            "approval": progress,
            "decision_form": form if progress.can_decide else None,
            "changes": approval_changes_for(order=order, user=request.user)
            if progress.can_decide
            else None,
            "can_change": False,
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def email_decision(request, token: str):
    """A decision link from an email: a confirmation page, then one POST that decides.

    No login is needed unless the settings or the company ask for it, and then the
    link decides this one step for its one approver and grants nothing else.
    """
    try:
        link = decision_link_read(token)
    except LinkRefused as exc:
        return _link_refused(request, str(exc), exc.http_status, exc.order)
    if request.user.is_authenticated and request.user.pk != link.approver.pk:
        return _link_refused(
            request,
            _(
                "This link was sent to %(owner)s, and you are logged in as %(you)s: it "
                "decides nothing for you. Decide from your own queue instead."
            )
            % {"owner": link.approver.full_name, "you": request.user.full_name},
            403,
            None,
        )
    if not request.user.is_authenticated and decision_link_needs_login(link):
        return redirect_to_login(request.get_full_path())
    form = EmailDecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        refused = partial(_decision_refused, request, link.order)
        with page_refusals(request, show_on=form, answer=refused):
            decided = approval_step_decide(
                step_id=link.step.pk,
                actor=link.approver,
                decision=link.decision,
                comment=form.cleaned_data["comment"],
                seen_version=link.version,
                channel=Channel.EMAIL,
            )
            return render(
                request,
                "approvals/email_decision_done.html",
                {"order": decided, "message": decision_message(decided, link.decision)},
            )
    order = order_get(number=link.order.number, among=Order.objects.all())
    return render(
        request,
        "approvals/email_decision.html",
        {
            "link": link,
            "order": order,
            "form": form,
            "approval": approval_progress_for(order=order, user=link.approver),
            "changes": approval_changes_for(order=order, user=link.approver),
            "needs_comment": link.decision in NEEDS_COMMENT,
        },
        status=400 if form.errors else 200,
    )


def _decision_refused(request, order, refusal: DomainError):
    """A decision the service refused (decided meanwhile, no longer theirs): the link's
    own page says why."""
    return _link_refused(request, str(refusal), 409, order)


def _link_refused(request, message: str, status: int, order):
    return render(
        request,
        "approvals/email_decision_refused.html",
        {"message": message, "order": order},
        status=status,
    )


@login_required
@require_safe
def order(request, number: str):
    return _order_page(request, approval_order_for_user(user=request.user, number=number))


@login_required
@require_POST
def decide(request, number: str):
    # The lines and history are read only if the page is shown again with an error.
    order = approval_order_for_user(user=request.user, number=number, details=False)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        if request.htmx and approval_progress_for(order=order, user=request.user).can_decide:
            return _queue_row(request, order, _("Open the order to decide it."), ok=False)
        return _order_page(request, order, form=form, status=400)
    step = approval_step_of_order(order=order, step_id=form.cleaned_data["step"])
    with fragment_refusals(
        request,
        fragment=partial(_row_refused, request, order),
        back=reverse("approvals:order", args=[order.number]),
        show_on=form,
        say=partial(_why_refused, request, order),
    ):
        decided = approval_step_decide(
            step_id=step.pk,
            actor=request.user,
            decision=form.cleaned_data["decision"],
            comment=form.cleaned_data["comment"],
            seen_version=form.cleaned_data["version"],
        )
        done = decision_message(decided, form.cleaned_data["decision"])
        if request.htmx:
            return _queue_row(request, decided, done)
        messages.success(request, done)
        return redirect("approvals:staff_queue" if request.user.is_staff else "approvals:queue")
    return _order_page(request, order, form=form, status=400)


def _why_refused(request, order, refusal: DomainError) -> str:
    """A refused decision's words: a stale version also says where the order went
    meanwhile, not only that it moved."""
    if isinstance(refusal, StaleVersion):
        return f"{refusal} {_where_now(request, order.number)}"
    return str(refusal)


def _row_refused(request, order, refusal: DomainError):
    """An inline decision refused: the queue row says why. Input the row has no field
    for (a rejection's comment) sends the person to the order's page."""
    if isinstance(refusal, InvalidInput):
        return _queue_row(request, order, _("Open the order to decide it."), ok=False)
    return _queue_row(request, order, _why_refused(request, order, refusal), ok=False)


def _queue_row(request, order, message: str, *, ok: bool = True):
    """The queue row after an inline decision (htmx swaps it in place of the row), with
    the navigation's count of waiting orders, swapped out of band."""
    return render(
        request,
        "approvals/_queue_row_done.html",
        {"order": order, "message": message, "ok": ok, "nav": approval_nav_for(user=request.user)},
    )


def _where_now(request, number: str) -> str:
    """Where an order went while the person looked at it: its status, or who decides now."""
    order = approval_order_for_user(user=request.user, number=number)
    if order.status != OrderStatus.PENDING_APPROVAL:
        return _("It is now %(status)s.") % {"status": order.get_status_display().lower()}
    progress = approval_progress_for(order=order, user=request.user)
    if progress.can_decide:
        return _("It waits for your decision again: look at what changed first.")
    step = progress.open_step
    if step is None:
        return _("It is waiting for approval.")
    if step.needs_site_admin:
        return _("It now waits for a site admin.")
    names = [person.full_name for person in step.approvers.all()]
    return _("It now waits for %(names)s.") % {"names": _(" or ").join(names)}


def decision_message(order, decision: str) -> str:
    """What the approver is told once their decision is recorded."""
    if decision == Decision.REJECT:
        return _("Order %(number)s rejected.") % {"number": order.number}
    if decision == Decision.REQUEST_CHANGES:
        return _("Order %(number)s went back to %(buyer)s for changes.") % {
            "number": order.number,
            "buyer": order.placed_by.full_name,
        }
    if order.status == OrderStatus.APPROVED:
        return _("Order %(number)s approved.") % {"number": order.number}
    return _("Your approval of %(number)s is recorded; it now goes to the next approver.") % {
        "number": order.number
    }


@login_required
@require_POST
def bulk_approve(request):
    back = "approvals:staff_queue" if request.user.is_staff else "approvals:queue"
    form = BulkApproveForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("steps", []) + form.errors.get("comment", []):
            messages.error(request, error)
        return redirect(back)
    decision = form.cleaned_data["decision"] or Decision.APPROVE
    with page_refusals(request, back=reverse(back)):
        results = approval_steps_bulk_decide(
            actor=request.user,
            items=form.cleaned_data["steps"],
            decision=decision,
            comment=form.cleaned_data["comment"],
        )
    if all(r.denied for r in results):
        raise PermissionDenied(_("None of the selected orders is waiting for you."))
    rejected = [r.order.number for r in results if r.ok and r.order.status == OrderStatus.REJECTED]
    if rejected:
        messages.success(
            request,
            ngettext(
                "%(n)d order rejected: %(numbers)s.",
                "%(n)d orders rejected: %(numbers)s.",
                len(rejected),
            )
            % {"n": len(rejected), "numbers": ", ".join(rejected)},
        )
    done = [r.order.number for r in results if r.ok and r.order.status == OrderStatus.APPROVED]
    forwarded = [
        r.order.number for r in results if r.ok and r.order.status == OrderStatus.PENDING_APPROVAL
    ]
    if done:
        messages.success(
            request,
            ngettext(
                "%(n)d order approved: %(numbers)s.",
                "%(n)d orders approved: %(numbers)s.",
                len(done),
            )
            % {"n": len(done), "numbers": ", ".join(done)},
        )
    if forwarded:
        messages.success(
            request,
            _("Approved your step of %(numbers)s; they now go to the next approver.")
            % {"numbers": ", ".join(forwarded)},
        )
    for result in results:
        if not result.ok:
            messages.error(request, result.error)
    return redirect(back)


@login_required
def away(request):
    """An approver's time away: who decides for them meanwhile (and what they decide for others)."""
    user = request.user
    if user.company_id is None or not approval_nav_for(user=user).is_approver:
        raise PermissionDenied(_("Only approvers hand their approvals to a colleague."))
    current = delegation_current_for(user=user)
    form = AwayForm(
        request.POST if request.method == "POST" else None,
        candidates=delegation_candidates(user=user),
        initial={"starts_on": timezone.localdate(), "ends_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.period()
        with page_refusals(request, back=reverse("approvals:away"), show_on=form):
            delegation_plan(
                approver=user,
                delegate=form.cleaned_data["delegate"],
                starts_at=starts_at,
                ends_at=ends_at,
                actor=user,
            )
            messages.success(
                request,
                _("%(name)s decides for you while you are away.")
                % {"name": form.cleaned_data["delegate"].full_name},
            )
            return redirect("approvals:away")
    return render(
        request,
        "approvals/away.html",
        {
            "form": form,
            "current": current,
            "received": delegation_received_by(user=user),
            "cancel_form": CancelAwayForm(initial={"delegation": current.pk}) if current else None,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def away_cancel(request):
    form = CancelAwayForm(request.POST)
    current = delegation_current_for(user=request.user)
    if not form.is_valid() or current is None or current.pk != form.cleaned_data["delegation"]:
        raise Http404("No such period away.")
    with page_refusals(request, back=reverse("approvals:away")):
        delegation_cancel(delegation_id=current.pk, actor=request.user)
    messages.success(request, _("Your approvals are yours alone again."))
    return redirect("approvals:away")
