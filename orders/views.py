from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from approvals.selectors import approval_progress_for
from b2bportal.domain import DomainError, InvalidInput, NotAllowed
from b2bportal.pagination import paginate
from quotations.services import quote_request

from .filters import OrderFilter
from .forms import OrderLineFormSet, VersionForm
from .selectors import order_get_for_user, order_list_for_user
from .services import QUOTED_ORDER_IS_FIXED, order_cancel, order_edit, order_place


def _contact_required(user) -> None:
    if user.company_id is None:
        raise PermissionDenied(_("Only contact persons of a company place orders."))


def _apply_service_errors(formset, exc: InvalidInput) -> None:
    """Show a service's per-SKU errors on the rows that carry that SKU."""
    for form in formset.forms:
        sku = form.cleaned_data.get("sku") if hasattr(form, "cleaned_data") else None
        for message in exc.errors.get(sku, []):
            form.add_error("sku", message)
    formset._non_form_errors = formset.error_class([str(exc)])


def _prefill(request) -> list[dict]:
    sku = request.GET.get("sku", "").strip().upper()[:40]
    return [{"sku": sku, "quantity": 1}] if sku else []


@login_required
def order_list(request):
    orders = order_list_for_user(user=request.user)
    order_filter = OrderFilter(request.GET, queryset=orders, request=request)
    page = paginate(order_filter.qs, request.GET.get("page"))
    return render(request, "orders/order_list.html", {"filter": order_filter, "page": page})


@login_required
def order_create(request):
    _contact_required(request.user)
    if request.method == "POST":
        formset = OrderLineFormSet(request.POST, prefix="lines")
        if formset.is_valid() and request.POST.get("action") == "quote":
            try:
                quote = quote_request(buyer=request.user, lines=formset.line_requests())
            except InvalidInput as exc:
                _apply_service_errors(formset, exc)
            except NotAllowed as exc:
                messages.error(request, str(exc))
            else:
                messages.success(
                    request, _("Quote %(number)s requested.") % {"number": quote.number}
                )
                return redirect("quotations:detail", number=quote.number)
        elif formset.is_valid():
            try:
                order = order_place(buyer=request.user, lines=formset.line_requests())
            except InvalidInput as exc:
                _apply_service_errors(formset, exc)
            except NotAllowed as exc:
                messages.error(request, str(exc))
            else:
                messages.success(
                    request,
                    _("Order %(number)s placed: %(status)s.")
                    % {"number": order.number, "status": order.get_status_display().lower()},
                )
                return redirect("orders:detail", number=order.number)
    else:
        formset = OrderLineFormSet(prefix="lines", initial=_prefill(request))
    return render(request, "orders/order_form.html", {"formset": formset, "order": None})


def _order_quote(order):
    """The quote an order was placed from, if any (read by the selector's join)."""
    try:
        return order.quote
    except ObjectDoesNotExist:
        return None


@login_required
def order_detail(request, number: str):
    order = order_get_for_user(user=request.user, number=number)
    return render(
        request,
        "orders/order_detail.html",
        {
            "order": order,
            "approval": approval_progress_for(order=order, user=request.user),
            "can_change": order.is_editable and order.placed_by_id == request.user.pk,
            "from_quote": _order_quote(order),
            "cancel_form": VersionForm(initial={"version": order.version}),
        },
    )


@login_required
def order_update(request, number: str):
    order = order_get_for_user(user=request.user, number=number)
    if order.placed_by_id != request.user.pk:
        raise PermissionDenied(_("Only the person who placed an order can change it."))
    if not order.is_editable:
        messages.error(
            request,
            _("Order %(number)s is %(status)s and can no longer be changed.")
            % {"number": order.number, "status": order.get_status_display().lower()},
        )
        return redirect("orders:detail", number=order.number)
    if _order_quote(order):
        messages.error(request, QUOTED_ORDER_IS_FIXED % {"number": order.number})
        return redirect("orders:detail", number=order.number)
    version_form = VersionForm(request.POST or None, initial={"version": order.version})
    if request.method == "POST":
        formset = OrderLineFormSet(request.POST, prefix="lines")
        if formset.is_valid() and version_form.is_valid():
            try:
                order = order_edit(
                    order_id=order.pk,
                    actor=request.user,
                    lines=formset.line_requests(),
                    seen_version=version_form.cleaned_data["version"],
                )
            except InvalidInput as exc:
                _apply_service_errors(formset, exc)
            except DomainError as exc:
                messages.error(request, str(exc))
                return redirect("orders:detail", number=order.number)
            else:
                messages.success(
                    request,
                    _("Order %(number)s changed: %(status)s.")
                    % {"number": order.number, "status": order.get_status_display().lower()},
                )
                return redirect("orders:detail", number=order.number)
    else:
        formset = OrderLineFormSet(
            prefix="lines",
            initial=[
                {"sku": line.product.sku, "quantity": line.quantity} for line in order.lines.all()
            ],
        )
    return render(
        request,
        "orders/order_form.html",
        {"formset": formset, "order": order, "version_form": version_form},
    )


@login_required
@require_POST
def order_cancel_view(request, number: str):
    order = order_get_for_user(user=request.user, number=number)
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The request was incomplete; nothing was changed."))
        return redirect("orders:detail", number=order.number)
    if order.placed_by_id != request.user.pk:
        raise PermissionDenied(_("Only the person who placed an order can cancel it."))
    try:
        order_cancel(
            order_id=order.pk,
            actor=request.user,
            seen_version=form.cleaned_data["version"],
            comment=form.cleaned_data["comment"],
        )
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Order %(number)s cancelled.") % {"number": order.number})
    return redirect("orders:detail", number=order.number)
