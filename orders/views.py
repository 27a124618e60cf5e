from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from companies.roles import OVERSEE_ORDERS
from core.exports import csv_response, export_query
from core.forms import SubmissionForm, explain_hidden_errors, form_problem
from core.pagination import paginate
from core.refusals import page_refusals

from .exports import order_export_header, order_export_rows
from .filters import OrderFilter
from .forms import (
    NextRowForm,
    OrderLineFormSet,
    PasteForm,
    PrefillForm,
    PreviewRowForm,
    VersionForm,
    header_form,
)
from .models import OrderEventKind, OrderStatus
from .selectors import (
    order_get_for_user,
    order_line_previews,
    order_lines_to_repeat,
    order_list_for_user,
)
from .services import (
    MAX_LINES,
    QUOTED_ORDER_IS_FIXED,
    order_cancel,
    order_edit,
    order_place,
    order_route_preview,
)
from .services.paste import PasteProblem, PasteRefused, paste_read, rows_merge


def _contact_required(user) -> None:
    if user.company_id is None:
        raise PermissionDenied(_("Only contact persons of a company place orders."))


def _prefill(request) -> list[dict]:
    """Rows a new order starts with: one catalog product, or a past order's lines."""
    link = PrefillForm(request.GET)
    if not link.is_valid():
        messages.warning(request, _("The link could not be read; start from an empty order."))
        return []
    if again := link.order_to_repeat():
        rows, dropped = order_lines_to_repeat(user=request.user, number=again)
        if dropped:
            messages.warning(
                request,
                _("No longer sold, so left out: %(skus)s.") % {"skus": ", ".join(dropped)},
            )
        messages.info(
            request,
            _("The lines of %(number)s are copied at today's catalog prices. Check and place.")
            % {"number": again},
        )
        return rows
    return link.rows()


def _typed_rows(data) -> list[tuple[str, str]]:
    """The (sku, quantity) rows as typed, unvalidated, by row index."""
    try:
        count = max(0, min(int(data.get("lines-TOTAL_FORMS", 0)), MAX_LINES))
    except (TypeError, ValueError):
        count = 0
    return [
        (data.get(f"lines-{i}-sku", ""), data.get(f"lines-{i}-quantity", "")) for i in range(count)
    ]


def _posted_rows(data) -> list[dict]:
    """The filled rows as typed, to show them again with blank rows added."""
    return [
        {"sku": sku, "quantity": quantity} for sku, quantity in _typed_rows(data) if sku or quantity
    ]


def _form_context(formset, *, user, **extra) -> dict:
    """The order form's rows, each with its product and line total at today's prices, and
    who would approve the order as it stands."""
    previews, total = order_line_previews(
        company_id=user.company_id,
        rows=[(f["sku"].value() or "", str(f["quantity"].value() or "")) for f in formset.forms],
    )
    return {
        "formset": formset,
        "rows": list(zip(formset.forms, previews, strict=True)),
        "preview_total": total,
        "paste_form": PasteForm(),
        "route": (
            order_route_preview(buyer=user, total=total, editing=extra.get("order"))
            if total
            else None
        ),
        **extra,
    }


def _paste(request) -> tuple:
    """ "Add these lines": the pasted or uploaded lines added to the rows typed so far.

    Good lines become rows (the same SKU adds up); the bad ones go back in the box,
    listed by line number with the words a typed row would get.
    """
    rows = _posted_rows(request.POST)
    paste_form = PasteForm(request.POST, request.FILES)
    pasted = None
    if paste_form.is_valid():
        try:
            pasted = paste_read(
                company_id=request.user.company_id, text=paste_form.cleaned_data["text"]
            )
        except PasteRefused as exc:
            paste_form.add_error("paste", str(exc))
    if pasted is not None:
        rows, left_out = rows_merge(rows, pasted.rows)
        if left_out:
            pasted.problems.append(
                PasteProblem(
                    0,
                    "\n".join(f"{r['sku']}\t{r['quantity']}" for r in left_out),
                    _("%(count)s more products do not fit: an order holds at most %(max)s.")
                    % {"count": len(left_out), "max": MAX_LINES},
                )
            )
        added = len(pasted.rows) - len(left_out)
        if added:
            messages.success(
                request,
                _("%(count)s lines added; check them and place the order.") % {"count": added},
            )
        paste_form = PasteForm(initial={"paste": pasted.unread_text})
    formset = OrderLineFormSet(prefix="lines", initial=rows)
    return formset, {"paste_form": paste_form, "pasted": pasted}


def _oversight_required(user) -> None:
    if user.is_staff and not user.has_perm(OVERSEE_ORDERS):
        raise PermissionDenied(_("Only site admins who oversee orders see every company's orders."))


@login_required
@require_safe
def order_list(request):
    _oversight_required(request.user)
    orders = order_list_for_user(user=request.user)
    order_filter = OrderFilter(request.GET, queryset=orders, request=request)
    page = paginate(order_filter.qs, request.GET.get("page"))
    return render(
        request,
        "orders/order_list.html",
        {"filter": order_filter, "page": page, "export_query": export_query(request.GET)},
    )


@login_required
@require_safe
def order_export(request):
    """The order list as CSV, with the page's filters: the same people, the same rows."""
    _oversight_required(request.user)
    orders = order_list_for_user(user=request.user)
    order_filter = OrderFilter(request.GET, queryset=orders, request=request)
    return csv_response(
        filename="orders",
        header=order_export_header(),
        rows=order_export_rows(orders=order_filter.qs),
    )


@login_required
def order_create(request):
    _contact_required(request.user)
    # The form's one-time key: kept when the page comes back, new on a fresh page.
    submission_form = SubmissionForm(request.POST or None)
    pasting = {}
    header = header_form(request.user, request.POST or None)
    if request.method == "POST" and request.POST.get("action") == "add_line":
        formset = OrderLineFormSet(prefix="lines", initial=_posted_rows(request.POST))
    elif request.method == "POST" and request.POST.get("action") == "paste":
        formset, pasting = _paste(request)
    elif request.method == "POST":
        formset = OrderLineFormSet(request.POST, prefix="lines")
        header_ok = header.is_valid()
        if formset.is_valid() and header_ok and submission_form.is_valid():
            with page_refusals(
                request,
                show_on=(formset, header),
                already="orders:detail",
                already_says=_("This order was placed already; here it is."),
            ):
                order = order_place(
                    buyer=request.user,
                    lines=formset.line_requests(),
                    header=header.header_request(),
                    submission_key=submission_form.submission_key(),
                )
                messages.success(
                    request,
                    _("Order %(number)s placed: %(status)s.")
                    % {"number": order.number, "status": order.get_status_display().lower()},
                )
                return redirect("orders:detail", number=order.number)
    else:
        formset = OrderLineFormSet(prefix="lines", initial=_prefill(request))
    return render(
        request,
        "orders/order_form.html",
        _form_context(
            formset,
            user=request.user,
            order=None,
            submission_form=submission_form,
            header_form=header,
            **pasting,
        ),
    )


def _changes_asked(order):
    """The request for changes an order waits on (its latest), from the prefetched history."""
    if order.status != OrderStatus.CHANGES_REQUESTED:
        return None
    asked = [e for e in order.events.all() if e.kind == OrderEventKind.CHANGES_REQUESTED]
    return asked[-1] if asked else None


@login_required
@require_safe
def order_detail(request, number: str):
    order = order_get_for_user(user=request.user, number=number)
    return render(
        request,
        "orders/order_detail.html",
        {
            "order": order,
            "can_change": order.is_editable and order.placed_by_id == request.user.pk,
            "changes_asked": _changes_asked(order),
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
    if order.has_agreed_prices:
        messages.error(request, QUOTED_ORDER_IS_FIXED % {"number": order.number})
        return redirect("orders:detail", number=order.number)
    version_form = VersionForm(request.POST or None, initial={"version": order.version})
    pasting = {}
    header = header_form(request.user, request.POST or None, source=order)
    if request.method == "POST" and request.POST.get("action") == "add_line":
        formset = OrderLineFormSet(prefix="lines", initial=_posted_rows(request.POST))
    elif request.method == "POST" and request.POST.get("action") == "paste":
        formset, pasting = _paste(request)
    elif request.method == "POST":
        formset = OrderLineFormSet(request.POST, prefix="lines")
        header_ok = header.is_valid()
        if not version_form.is_valid():
            explain_hidden_errors(version_form)
        elif formset.is_valid() and header_ok:
            back = reverse("orders:detail", args=[order.number])
            with page_refusals(request, back=back, show_on=(formset, header)):
                order = order_edit(
                    order_id=order.pk,
                    actor=request.user,
                    lines=formset.line_requests(),
                    header=header.header_request(),
                    seen_version=version_form.cleaned_data["version"],
                )
                messages.success(
                    request,
                    _("Order %(number)s changed: %(status)s.")
                    % {"number": order.number, "status": order.get_status_display().lower()},
                )
                return redirect(back)
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
        _form_context(
            formset,
            user=request.user,
            order=order,
            version_form=version_form,
            header_form=header,
            **pasting,
        ),
    )


def _row_index(form) -> int:
    if not form.is_valid():
        raise Http404("No such row.")
    return next(iter(form.cleaned_data.values()))


@login_required
@require_safe
def order_line_row(request):
    """One more blank row for the order form ("Add line" with htmx)."""
    _contact_required(request.user)
    index = _row_index(NextRowForm(request.GET, prefix="lines"))
    if index >= MAX_LINES:
        return HttpResponse(status=204)
    formset = OrderLineFormSet(prefix="lines")
    form = formset.form(
        prefix=formset.add_prefix(index), auto_id=formset.auto_id, use_required_attribute=False
    )
    previews, _total = order_line_previews(company_id=request.user.company_id, rows=[("", "")])
    return render(
        request,
        "orders/_order_line_added.html",
        {"form": form, "preview": previews[0], "index": index, "total_forms": index + 1},
    )


@login_required
@require_safe
def order_line_preview(request):
    """A row's product, unit price and line total, and the order total, as the buyer types."""
    _contact_required(request.user)
    form = PreviewRowForm(request.GET)
    index = _row_index(form)
    typed = _typed_rows(request.GET)
    previews, total = order_line_previews(company_id=request.user.company_id, rows=typed)
    preview = previews[index] if 0 <= index < len(previews) else None
    editing = None
    if number := form.cleaned_data.get("editing"):
        # the order being changed: its own amount is not counted twice against a budget
        editing = order_get_for_user(user=request.user, number=number)
        if editing.placed_by_id != request.user.pk:
            editing = None
    route = order_route_preview(buyer=request.user, total=total, editing=editing) if total else None
    return render(
        request,
        "orders/_order_line_preview.html",
        {"preview": preview, "index": index, "preview_total": total, "route": route},
    )


@login_required
@require_POST
def order_cancel_view(request, number: str):
    order = order_get_for_user(user=request.user, number=number)
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_problem(form))
        return redirect("orders:detail", number=order.number)
    if order.placed_by_id != request.user.pk:
        raise PermissionDenied(_("Only the person who placed an order can cancel it."))
    with page_refusals(request, back=reverse("orders:detail", args=[order.number])):
        order_cancel(
            order_id=order.pk,
            actor=request.user,
            seen_version=form.cleaned_data["version"],
            comment=form.cleaned_data["comment"],
        )
    messages.success(request, _("Order %(number)s cancelled.") % {"number": order.number})
    return redirect("orders:detail", number=order.number)
