from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.domain import DomainError, InvalidInput
from core.pagination import paginate

from .filters import QuoteDeskFilter, QuoteFilter
from .forms import (
    AcceptAsRequestedForm,
    MessageForm,
    QuoteEditForm,
    QuoteRequestForm,
    RejectForm,
    VersionForm,
    WithdrawForm,
    offer_forms,
    quote_line_formset,
)
from .models import DESK_PERMISSION, Quote, Side
from .selectors import (
    quote_desk_counts,
    quote_desk_list,
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


def _require(side: str, wanted: str) -> None:
    if side != wanted:
        if wanted == Side.BUYER:
            raise PermissionDenied(_("Only the company that asked for this quote can do this."))
        raise PermissionDenied(_("Only site admins on the quote desk can do this."))


def _apply_line_errors(formset, exc: InvalidInput, field: str = "sku") -> None:
    """Show a service's per-SKU errors on the rows that carry that SKU."""
    for form in formset.forms:
        if hasattr(form, "line") and form.line is not None:
            sku = form.line.product.sku
        else:
            sku = form.cleaned_data.get("sku") if hasattr(form, "cleaned_data") else None
        for message in exc.errors.get(sku, []):
            form.add_error(field, message)
    formset._non_form_errors = formset.error_class([str(exc)])


def _apply_field_errors(form, exc: InvalidInput) -> bool:
    """Put a service's field errors on the form; False if none of them fit it."""
    fitted = False
    for field, errors in exc.errors.items():
        if field in form.fields:
            for message in errors:
                form.add_error(field, message)
            fitted = True
    return fitted


def _detail_context(quote: Quote, side: str, **overrides) -> dict:
    actions = quote.actions_for(side) if side else frozenset()
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
        _detail_context(quote, side, **overrides),
        status=status,
    )


@login_required
def quote_list(request):
    if _is_desk(request.user):
        return redirect("quotations:desk")
    _contact_required(request.user)
    quote_filter = QuoteFilter(request.GET, queryset=quote_list_for_contact(user=request.user))
    page = paginate(quote_filter.qs, request.GET.get("page"))
    return render(request, "quotations/quote_list.html", {"filter": quote_filter, "page": page})


@login_required
def quote_desk(request):
    _desk_required(request.user)
    desk_filter = QuoteDeskFilter(request.GET, queryset=quote_desk_list(user=request.user))
    page = paginate(desk_filter.qs, request.GET.get("page"))
    return render(
        request,
        "quotations/quote_desk.html",
        {"filter": desk_filter, "page": page, "counts": quote_desk_counts(user=request.user)},
    )


def _prefill(request) -> list[dict]:
    sku = request.GET.get("sku", "").strip().upper()[:40]
    return [{"sku": sku, "quantity": 1}] if sku else []


@login_required
def quote_create(request):
    _contact_required(request.user)
    if request.method == "POST":
        formset = quote_line_formset(data=request.POST)
        form = QuoteRequestForm(request.POST)
        if formset.is_valid() and form.is_valid():
            try:
                quote = quote_request(
                    buyer=request.user,
                    lines=formset.line_requests(),
                    message=form.cleaned_data["message"],
                )
            except InvalidInput as exc:
                if not _apply_field_errors(form, exc):
                    _apply_line_errors(formset, exc)
            except DomainError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(
                    request,
                    _("Quote %(number)s requested. We will tell you when prices are offered.")
                    % {"number": quote.number},
                )
                return redirect("quotations:detail", number=quote.number)
    else:
        formset = quote_line_formset(initial=_prefill(request))
        form = QuoteRequestForm()
    return render(
        request, "quotations/quote_form.html", {"formset": formset, "form": form, "quote": None}
    )


@login_required
def quote_detail(request, number: str):
    quote, side = _quote_for(request, number)
    return _render_detail(request, quote, side)


@login_required
def quote_update(request, number: str):
    quote, side = _quote_for(request, number)
    _require(side, Side.BUYER)
    if not quote.allows("edit"):
        messages.error(
            request,
            _("Quote %(number)s is %(status)s and can no longer be changed.")
            % {"number": quote.number, "status": quote.get_status_display().lower()},
        )
        return redirect("quotations:detail", number=quote.number)
    if request.method == "POST":
        formset = quote_line_formset(data=request.POST)
        form = QuoteEditForm(request.POST)
        if formset.is_valid() and form.is_valid():
            try:
                quote = quote_edit(
                    quote_id=quote.pk,
                    actor=request.user,
                    lines=formset.line_requests(),
                    seen_version=form.cleaned_data["version"],
                    message=form.cleaned_data["message"],
                )
            except InvalidInput as exc:
                if not _apply_field_errors(form, exc):
                    _apply_line_errors(formset, exc)
            except DomainError as exc:
                messages.error(request, str(exc))
                return redirect("quotations:detail", number=quote.number)
            else:
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
        request, "quotations/quote_form.html", {"formset": formset, "form": form, "quote": quote}
    )


def _simple_action(request, number: str, *, side: str, form_class, form_name: str, run, done: str):
    """A POST that carries the version seen (and maybe a comment) and calls one service."""
    quote, person_side = _quote_for(request, number)
    _require(person_side, side)
    form = form_class(request.POST)
    if not form.is_valid():
        if set(form.errors) - {"version"}:
            return _render_detail(request, quote, person_side, **{form_name: form})
        messages.error(request, _("The request was incomplete; nothing was changed."))
        return redirect("quotations:detail", number=quote.number)
    try:
        result = run(quote=quote, data=form.cleaned_data, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("quotations:detail", number=quote.number)
    messages.success(request, done % {"number": quote.number})
    return result or redirect("quotations:detail", number=quote.number)


def _run_withdraw(*, quote, data, actor):
    quote_withdraw(
        quote_id=quote.pk, actor=actor, seen_version=data["version"], comment=data["comment"]
    )


def _run_accept(*, quote, data, actor):
    quote_accept(quote_id=quote.pk, actor=actor, seen_version=data["version"])


def _run_place_order(*, quote, data, actor):
    quote = quote_place_order(quote_id=quote.pk, actor=actor, seen_version=data["version"])
    return redirect("orders:detail", number=quote.order.number)


def _run_accept_as_requested(*, quote, data, actor):
    quote_accept_as_requested(
        quote_id=quote.pk, actor=actor, seen_version=data["version"], message=data["message"]
    )


def _run_reject(*, quote, data, actor):
    quote_reject(
        quote_id=quote.pk, actor=actor, seen_version=data["version"], reason=data["reason"]
    )


@login_required
@require_POST
def quote_withdraw_view(request, number: str):
    return _simple_action(
        request,
        number,
        side=Side.BUYER,
        form_class=WithdrawForm,
        form_name="withdraw_form",
        run=_run_withdraw,
        done=_("Quote %(number)s withdrawn."),
    )


@login_required
@require_POST
def quote_accept_view(request, number: str):
    return _simple_action(
        request,
        number,
        side=Side.BUYER,
        form_class=VersionForm,
        form_name="accept_form",
        run=_run_accept,
        done=_("Offer %(number)s accepted. You can now place the order at these prices."),
    )


@login_required
@require_POST
def quote_place_order_view(request, number: str):
    return _simple_action(
        request,
        number,
        side=Side.BUYER,
        form_class=VersionForm,
        form_name="place_order_form",
        run=_run_place_order,
        done=_("Order placed from quote %(number)s at the agreed prices."),
    )


@login_required
@require_POST
def quote_accept_as_requested_view(request, number: str):
    return _simple_action(
        request,
        number,
        side=Side.SELLER,
        form_class=AcceptAsRequestedForm,
        form_name="accept_as_requested_form",
        run=_run_accept_as_requested,
        done=_("Quote %(number)s accepted as requested."),
    )


@login_required
@require_POST
def quote_reject_view(request, number: str):
    return _simple_action(
        request,
        number,
        side=Side.SELLER,
        form_class=RejectForm,
        form_name="reject_form",
        run=_run_reject,
        done=_("Quote %(number)s rejected."),
    )


@login_required
@require_POST
def quote_offer_view(request, number: str):
    quote, side = _quote_for(request, number)
    _require(side, Side.SELLER)
    form, formset = offer_forms(quote=quote, data=request.POST)
    if form.is_valid() and formset.is_valid():
        try:
            quote_offer(
                quote_id=quote.pk,
                actor=request.user,
                lines=formset.offered_lines(),
                expires_at=form.expires_at(),
                seen_version=form.cleaned_data["version"],
                message=form.cleaned_data["message"],
            )
        except InvalidInput as exc:
            if not _apply_field_errors(form, exc):
                _apply_line_errors(formset, exc, field="unit_price")
        except DomainError as exc:
            messages.error(request, str(exc))
            return redirect("quotations:detail", number=quote.number)
        else:
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
    error = ""
    if form.is_valid():
        try:
            quote_post_message(
                quote_id=quote.pk, actor=request.user, body=form.cleaned_data["body"]
            )
        except InvalidInput as exc:
            if not _apply_field_errors(form, exc):
                error = str(exc)
        except DomainError as exc:
            error = str(exc)
        else:
            form = MessageForm()
            if not request.htmx:
                return redirect(reverse("quotations:detail", args=[quote.number]) + "#thread")
    if request.htmx:
        quote, side = _quote_for(request, number)
        context = _detail_context(quote, side, message_form=form, thread_error=error)
        return render(request, "quotations/_thread.html", context)
    if error:
        messages.error(request, error)
        return redirect("quotations:detail", number=quote.number)
    return _render_detail(request, quote, side, message_form=form)
