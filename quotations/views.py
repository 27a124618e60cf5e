from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from core.domain import DomainError, InvalidInput
from core.exports import csv_response, export_query
from core.forms import explain_hidden_errors, form_problem
from core.pagination import paginate
from core.refusals import fragment_refusals, page_refusals, show_refusal
from core.submissions import AlreadySubmitted
from orders.forms import PrefillForm, header_form
from orders.services import order_route_preview

from .filters import QuoteDeskFilter, QuoteFilter
from .forms import (
    AcceptAsRequestedForm,
    MessageForm,
    PlaceOrderForm,
    QuoteEditForm,
    QuoteRequestForm,
    RejectForm,
    VersionForm,
    WithdrawForm,
    offer_forms,
    quote_line_formset,
)
from .models import DESK_PERMISSION, QUOTE_MOVES, Quote, Side
from .selectors import (
    quote_desk_counts,
    quote_desk_list,
    quote_export_header,
    quote_export_rows,
    quote_get_for_user,
    quote_list_for_contact,
    quote_side,
    quote_timeline,
)
from .services import (
    quote_accept,
    quote_accept_as_requested,
    quote_edit,
    quote_offer,
    quote_place_order,
    quote_post_message,
    quote_reject,
    quote_request,
    quote_withdraw,
)


def _is_desk(user) -> bool:
    return user.is_staff and user.has_perm(DESK_PERMISSION)


def _desk_required(user) -> None:
    if not _is_desk(user):
        raise PermissionDenied(_("Only site admins on the quote desk see this page."))


def _contact_required(user) -> None:
    if user.company_id is None:
        raise PermissionDenied(_("Only contact persons of a company ask for quotes."))


def _quote_for(request, number: str) -> tuple[Quote, str]:
    """The quote and the person's side of it; 404 if not theirs, 403 for other staff."""
    if request.user.is_staff and not _is_desk(request.user):
        raise PermissionDenied(_("Only site admins on the quote desk see quotes."))
    quote = quote_get_for_user(user=request.user, number=number)
    return quote, quote_side(user=request.user, quote=quote)


def _acts(user, quote: Quote, side: str) -> bool:
    """Whether the person may change the quote: the desk, or the buyer who asked for it
    (as with orders, colleagues see it and write on its thread)."""
    return side == Side.SELLER or (side == Side.BUYER and quote.requested_by_id == user.pk)


def _require(user, quote: Quote, side: str, wanted: str | frozenset[str]) -> None:
    wanted = frozenset({wanted}) if isinstance(wanted, str) else wanted
    if side not in wanted:
        if Side.BUYER in wanted:
            raise PermissionDenied(_("Only the company that asked for this quote can do this."))
        raise PermissionDenied(_("Only site admins on the quote desk can do this."))
    if not _acts(user, quote, side):
        raise PermissionDenied(_("Only the person who asked for this quote can do this."))


def _valid(form, formset) -> bool:
    """Both parts of a page's form are valid; if not, a tampered hidden field says so."""
    valid = [form.is_valid(), formset.is_valid()]
    for part in (form, formset):
        explain_hidden_errors(part)
    return all(valid)


def _detail_context(user, quote: Quote, side: str, **overrides) -> dict:
    actions = quote.actions_for(side) if _acts(user, quote, side) else frozenset()
    version = {"version": quote.version}
    context = {
        "quote": quote,
        "side": side,
        "actions": actions,
        "timeline": quote_timeline(quote=quote),
        "version_form": VersionForm(initial=version),
        "message_form": MessageForm(),
        "can_post": bool(side) and quote.is_open,
    }
    if "place_order" in actions:
        context["place_order_form"] = PlaceOrderForm(initial=version)
        # who will approve the order, before it is placed: the planner placing asks
        if quote.offered_total is not None:
            context["route"] = order_route_preview(buyer=user, total=quote.offered_total)
    if "withdraw" in actions:
        context["withdraw_form"] = WithdrawForm(initial=version)
    if "reject" in actions:
        context["reject_form"] = RejectForm(initial=version)
    if "accept_as_requested" in actions:
        context["accept_as_requested_form"] = AcceptAsRequestedForm(initial=version)
    if "offer" in actions and "offer_form" not in overrides:
        context["offer_form"], context["offer_formset"] = offer_forms(quote=quote)
    context.update(overrides)
    return context


def _render_detail(request, quote: Quote, side: str, status: int = 200, **overrides):
    return render(
        request,
        "quotations/quote_detail.html",
        _detail_context(request.user, quote, side, **overrides),
        status=status,
    )


@login_required
@require_safe
def quote_list(request):
    if _is_desk(request.user):
        return redirect("quotations:desk")
    _contact_required(request.user)
    quote_filter = QuoteFilter(
        request.GET, queryset=quote_list_for_contact(user=request.user), request=request
    )
    page = paginate(quote_filter.qs, request.GET.get("page"))
    return render(
        request,
        "quotations/quote_list.html",
        {"filter": quote_filter, "page": page, "export_query": export_query(request.GET)},
    )


@login_required
@require_safe
def quote_export(request):
    """The quote list as CSV, with the page's filters: the desk's list for the desk
    (every company), the company's list for its contacts."""
    if _is_desk(request.user):
        quotes = QuoteDeskFilter(request.GET, queryset=quote_desk_list(user=request.user)).qs
    else:
        _contact_required(request.user)
        quotes = QuoteFilter(
            request.GET, queryset=quote_list_for_contact(user=request.user), request=request
        ).qs
    return csv_response(
        filename="quotes", header=quote_export_header(), rows=quote_export_rows(quotes=quotes)
    )


@login_required
@require_safe
def quote_desk(request):
    _desk_required(request.user)
    desk_filter = QuoteDeskFilter(request.GET, queryset=quote_desk_list(user=request.user))
    page = paginate(desk_filter.qs, request.GET.get("page"))
    return render(
        request,
        "quotations/quote_desk.html",
        {
            "filter": desk_filter,
            "page": page,
            "counts": quote_desk_counts(user=request.user),
            "export_query": export_query(request.GET),
        },
    )


def _prefill(request) -> list[dict]:
    return PrefillForm(request.GET).rows()


@login_required
def quote_create(request):
    _contact_required(request.user)
    if request.method == "POST":
        formset = quote_line_formset(data=request.POST)
        # "Request a quote instead" on the order form posts its lines here, with no message.
        from_order_form = request.POST.get("action") == "quote"
        form = QuoteRequestForm(request.POST, message_required=not from_order_form)
        header = header_form(request.user, request.POST)
        header_ok = header.is_valid()
        if formset.is_valid() and form.is_valid() and header_ok:
            with page_refusals(
                request,
                back=reverse("quotations:create"),
                show_on=(formset, form, header),
                already="quotations:detail",
            ):
                quote = quote_request(
                    buyer=request.user,
                    lines=formset.line_requests(),
                    message=form.cleaned_data["message"],
                    header=header.header_request(),
                    submission_key=form.submission_key(),
                )
                messages.success(
                    request,
                    _("Quote %(number)s requested. We will tell you when prices are offered.")
                    % {"number": quote.number},
                )
                return redirect("quotations:detail", number=quote.number)
    else:
        formset = quote_line_formset(initial=_prefill(request))
        form = QuoteRequestForm()
        header = header_form(request.user)
    return render(
        request,
        "quotations/quote_form.html",
        {"formset": formset, "form": form, "quote": None, "header_form": header},
    )


@login_required
@require_safe
def quote_detail(request, number: str):
    quote, side = _quote_for(request, number)
    return _render_detail(request, quote, side)


@login_required
def quote_update(request, number: str):
    quote, side = _quote_for(request, number)
    _require(request.user, quote, side, Side.BUYER)
    if not quote.allows("edit"):
        messages.error(
            request,
            _("Quote %(number)s is %(status)s and can no longer be changed.")
            % {"number": quote.number, "status": quote.get_status_display().lower()},
        )
        return redirect("quotations:detail", number=quote.number)
    header = header_form(request.user, request.POST or None, source=quote)
    if request.method == "POST":
        formset = quote_line_formset(data=request.POST)
        form = QuoteEditForm(request.POST)
        header_ok = header.is_valid()
        if _valid(form, formset) and header_ok:
            with page_refusals(
                request,
                back=reverse("quotations:detail", args=[quote.number]),
                show_on=(formset, form, header),
                already="quotations:detail",
            ):
                quote = quote_edit(
                    quote_id=quote.pk,
                    actor=request.user,
                    lines=formset.line_requests(),
                    seen_version=form.cleaned_data["version"],
                    message=form.cleaned_data["message"],
                    header=header.header_request(),
                    submission_key=form.submission_key(),
                )
                messages.success(
                    request,
                    _("Quote %(number)s changed and sent to the seller.")
                    % {"number": quote.number},
                )
                return redirect("quotations:detail", number=quote.number)
    else:
        formset = quote_line_formset(quote=quote)
        form = QuoteEditForm(initial={"version": quote.version})
    return render(
        request,
        "quotations/quote_form.html",
        {"formset": formset, "form": form, "quote": quote, "header_form": header},
    )


@dataclass(frozen=True)
class SimpleAction:
    """A move of ``QUOTE_MOVES`` that a button posts with the version seen (and maybe a text)."""

    slug: str  # its URL: /quotes/<number>/<slug>/
    form_class: type[VersionForm]
    run: Callable
    done: str
    made: str = ""  # the page of what it makes, for a second click of the same form


def _withdraw(*, quote, data, actor):
    quote_withdraw(
        quote_id=quote.pk, actor=actor, seen_version=data["version"], comment=data["comment"]
    )


def _accept(*, quote, data, actor):
    quote_accept(quote_id=quote.pk, actor=actor, seen_version=data["version"])


def _place_order(*, quote, data, actor):
    quote = quote_place_order(
        quote_id=quote.pk,
        actor=actor,
        seen_version=data["version"],
        submission_key=data["submission"],
    )
    return redirect("orders:detail", number=quote.order.number)


def _accept_as_requested(*, quote, data, actor):
    quote_accept_as_requested(
        quote_id=quote.pk, actor=actor, seen_version=data["version"], message=data["message"]
    )


def _reject(*, quote, data, actor):
    quote_reject(
        quote_id=quote.pk, actor=actor, seen_version=data["version"], reason=data["reason"]
    )


# Posted from a dialog, which closes when it is sent: a refusal is said on top of the page
# the person is back on, with what was not done, not on a form nobody sees.
REFUSED_IN_DIALOG = {"withdraw": gettext_lazy("Quote %(number)s was not withdrawn: %(why)s")}

# Who may post each one is the table's (``QUOTE_MOVES[action].who``).
SIMPLE_ACTIONS: dict[str, SimpleAction] = {
    "withdraw": SimpleAction(
        "withdraw", WithdrawForm, _withdraw, gettext_lazy("Quote %(number)s withdrawn.")
    ),
    "accept": SimpleAction(
        "accept",
        VersionForm,
        _accept,
        gettext_lazy("Offer %(number)s accepted. You can now place the order at these prices."),
    ),
    "place_order": SimpleAction(
        "order",
        PlaceOrderForm,
        _place_order,
        gettext_lazy("Order placed from quote %(number)s at the agreed prices."),
        made="orders:detail",
    ),
    "accept_as_requested": SimpleAction(
        "accept-as-requested",
        AcceptAsRequestedForm,
        _accept_as_requested,
        gettext_lazy("Quote %(number)s accepted as requested."),
    ),
    "reject": SimpleAction(
        "reject", RejectForm, _reject, gettext_lazy("Quote %(number)s rejected.")
    ),
}


def _refused_in_dialog(request, quote: Quote, action: str, why: str):
    messages.error(request, REFUSED_IN_DIALOG[action] % {"number": quote.number, "why": why})
    return redirect("quotations:detail", number=quote.number)


def _said_in_dialog(quote: Quote, action: str, refusal: DomainError) -> str:
    if isinstance(refusal, InvalidInput):
        return REFUSED_IN_DIALOG[action] % {"number": quote.number, "why": str(refusal)}
    return str(refusal)


@login_required
@require_POST
def quote_action(request, number: str, action: str):
    """One button of the quote page: the version seen (and maybe a text), one service."""
    spec = SIMPLE_ACTIONS[action]
    quote, side = _quote_for(request, number)
    _require(request.user, quote, side, QUOTE_MOVES[action].who)
    form = spec.form_class(request.POST)
    if not form.is_valid():
        if action in REFUSED_IN_DIALOG:
            return _refused_in_dialog(request, quote, action, form_problem(form))
        if not explain_hidden_errors(form):
            return _render_detail(request, quote, side, **{f"{action}_form": form})
        messages.error(request, form_problem(form))
        return redirect("quotations:detail", number=quote.number)
    in_dialog = action in REFUSED_IN_DIALOG
    with page_refusals(
        request,
        back=reverse("quotations:detail", args=[quote.number]),
        show_on=() if in_dialog else form,
        already=spec.made or None,
        say=partial(_said_in_dialog, quote, action) if in_dialog else str,
    ):
        result = spec.run(quote=quote, data=form.cleaned_data, actor=request.user)
        messages.success(request, spec.done % {"number": quote.number})
        return result or redirect("quotations:detail", number=quote.number)
    return _render_detail(request, quote, side, **{f"{action}_form": form})


@login_required
@require_POST
def quote_offer_view(request, number: str):
    quote, side = _quote_for(request, number)
    _require(request.user, quote, side, Side.SELLER)
    form, formset = offer_forms(quote=quote, data=request.POST)
    if _valid(form, formset):
        with page_refusals(
            request,
            back=reverse("quotations:detail", args=[quote.number]),
            show_on=(formset, form),
            already="quotations:detail",
        ):
            quote_offer(
                quote_id=quote.pk,
                actor=request.user,
                lines=formset.offered_lines(),
                expires_at=form.expires_at(),
                seen_version=form.cleaned_data["version"],
                message=form.cleaned_data["message"],
                submission_key=form.submission_key(),
            )
            messages.success(request, _("Prices offered on %(number)s.") % {"number": quote.number})
            return redirect("quotations:detail", number=quote.number)
    return _render_detail(request, quote, side, offer_form=form, offer_formset=formset)


@login_required
@require_POST
def quote_message_view(request, number: str):
    quote, side = _quote_for(request, number)
    if not side:
        raise PermissionDenied(_("You cannot post on this quote."))
    form = MessageForm(request.POST)
    page = reverse("quotations:detail", args=[quote.number])
    if form.is_valid():
        with fragment_refusals(
            request,
            fragment=partial(_thread_refused, request, number, form),
            back=page,
            show_on=form,
            already=lambda _first: f"{page}#thread",  # sent by the first click: it is there
            already_says="",
        ):
            quote_post_message(
                quote_id=quote.pk,
                actor=request.user,
                body=form.cleaned_data["body"],
                submission_key=form.submission_key(),
            )
            if not request.htmx:
                return redirect(f"{page}#thread")
            form = MessageForm()
    if request.htmx:
        return _thread(request, number, form)
    return _render_detail(request, quote, side, message_form=form)


def _thread(request, number: str, form: MessageForm, error: str = ""):
    """The quote's thread as it is now, with the message form (htmx swaps it in)."""
    quote, side = _quote_for(request, number)
    context = _detail_context(request.user, quote, side, message_form=form, thread_error=error)
    return render(request, "quotations/_thread.html", context)


def _thread_refused(request, number: str, form: MessageForm, refusal: DomainError):
    """A message refused from the thread: the thread again, saying why under it."""
    if isinstance(refusal, AlreadySubmitted):  # sent by the first click: shown with the thread
        return _thread(request, number, MessageForm())
    if isinstance(refusal, InvalidInput):
        show_refusal(refusal, form)
        return _thread(request, number, form)
    return _thread(request, number, form, error=str(refusal))
