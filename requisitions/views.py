from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from catalog.selectors import product_map_by_sku
from core.forms import SubmissionForm, explain_hidden_errors, form_problem
from core.refusals import page_refusals
from orders.selectors import order_lines_to_repeat
from orders.services import LineRequest

from .forms import (
    AddToListForm,
    ListLinesForm,
    PickForm,
    RequisitionForm,
    SourceForm,
    VersionForm,
)
from .selectors import (
    requisition_get_for_user,
    requisition_lines_priced,
    requisition_list_for_user,
    requisition_own,
    requisition_rows_to_order,
)
from .services import (
    requisition_create,
    requisition_delete,
    requisition_lines_add,
    requisition_lines_change,
    requisition_update,
)


def _contact_required(user) -> None:
    if user.company_id is None or user.is_staff:
        raise PermissionDenied(_("Only contact persons of a company keep requisition lists."))


def _own_required(requisition, user) -> None:
    if requisition.owner_id != user.pk:
        raise PermissionDenied(_("Only the person who made a list changes it."))


@login_required
@require_safe
def requisition_index(request):
    _contact_required(request.user)
    lists = list(requisition_list_for_user(user=request.user))
    return render(
        request,
        "requisitions/requisition_list.html",
        {
            "own": [r for r in lists if r.owner_id == request.user.pk],
            "shared": [r for r in lists if r.owner_id != request.user.pk],
        },
    )


@login_required
def requisition_create_view(request):
    _contact_required(request.user)
    form = RequisitionForm(request.POST or None)
    submission_form = SubmissionForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and submission_form.is_valid():
        with page_refusals(
            request,
            back=reverse("requisitions:list"),
            show_on=form,
            already="requisitions:detail",
            already_says=_("This list was made already; here it is."),
        ):
            requisition = requisition_create(
                owner=request.user,
                name=form.cleaned_data["name"],
                is_shared=form.cleaned_data["is_shared"],
                submission_key=submission_form.submission_key(),
            )
            messages.success(
                request,
                _("List “%(name)s” made. Add products from the catalog, an order or a list.")
                % {"name": requisition.name},
            )
            return redirect("requisitions:detail", pk=requisition.pk)
    return render(
        request,
        "requisitions/requisition_form.html",
        {"form": form, "submission_form": submission_form, "requisition": None},
    )


@login_required
@require_safe
def requisition_detail(request, pk: int):
    _contact_required(request.user)
    requisition = requisition_get_for_user(user=request.user, list_id=pk)
    lines, total = requisition_lines_priced(requisition=requisition)
    is_owner = requisition.owner_id == request.user.pk
    return render(
        request,
        "requisitions/requisition_detail.html",
        {
            "requisition": requisition,
            "lines": lines,
            "is_owner": is_owner,
            "lines_form": ListLinesForm(initial={"version": requisition.version}, lines=lines)
            if is_owner
            else None,
            "version_form": VersionForm(initial={"version": requisition.version}),
            "total": total,
        },
    )


@login_required
def requisition_edit(request, pk: int):
    _contact_required(request.user)
    requisition = requisition_get_for_user(user=request.user, list_id=pk)
    _own_required(requisition, request.user)
    initial = {"name": requisition.name, "is_shared": requisition.is_shared}
    form = RequisitionForm(request.POST or None, initial=initial)
    version_form = VersionForm(request.POST or None, initial={"version": requisition.version})
    if request.method == "POST":
        if not version_form.is_valid():
            explain_hidden_errors(version_form)
            form.is_valid()
            form.add_error(None, form_problem(version_form))
        elif form.is_valid():
            back = reverse("requisitions:detail", args=[requisition.pk])
            with page_refusals(request, back=back, show_on=form):
                requisition_update(
                    list_id=requisition.pk,
                    actor=request.user,
                    seen_version=version_form.cleaned_data["version"],
                    **form.cleaned_data,
                )
                messages.success(request, _("List saved."))
                return redirect(back)
    return render(
        request,
        "requisitions/requisition_form.html",
        {"form": form, "version_form": version_form, "requisition": requisition},
    )


@login_required
@require_POST
def requisition_delete_view(request, pk: int):
    _contact_required(request.user)
    requisition = requisition_get_for_user(user=request.user, list_id=pk)
    _own_required(requisition, request.user)
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_problem(form))
        return redirect("requisitions:detail", pk=requisition.pk)
    with page_refusals(request, back=reverse("requisitions:detail", args=[requisition.pk])):
        name = requisition_delete(
            list_id=requisition.pk, actor=request.user, seen_version=form.cleaned_data["version"]
        )
    messages.success(request, _("List “%(name)s” deleted.") % {"name": name})
    return redirect("requisitions:list")


@login_required
@require_POST
def requisition_lines(request, pk: int):
    """Save the quantities of a list's lines, and take the ticked ones off."""
    _contact_required(request.user)
    requisition = requisition_get_for_user(user=request.user, list_id=pk)
    _own_required(requisition, request.user)
    back = reverse("requisitions:detail", args=[requisition.pk])
    form = ListLinesForm(request.POST, lines=requisition.lines.all())
    if not form.is_valid():
        messages.error(request, form_problem(form))
        return redirect(back)
    with page_refusals(request, back=back):
        requisition_lines_change(
            list_id=requisition.pk,
            actor=request.user,
            quantities=form.quantities(),
            remove=form.removed(),
            seen_version=form.cleaned_data["version"],
        )
    messages.success(request, _("List saved."))
    return redirect(back)


@login_required
@require_safe
def requisition_order(request, pk: int):
    """Order a list, or its ticked lines: the order form, filled in, at today's prices."""
    _contact_required(request.user)
    requisition, rows, dropped = requisition_rows_to_order(
        user=request.user, list_id=pk, line_ids=PickForm(request.GET).line_ids()
    )
    if dropped:
        messages.warning(
            request, _("No longer sold, so left out: %(skus)s.") % {"skus": ", ".join(dropped)}
        )
    if not rows:
        messages.error(request, _("Nothing of this list can be ordered."))
        return redirect("requisitions:detail", pk=requisition.pk)
    messages.info(
        request,
        _("The lines of “%(name)s” at today's catalog prices. Check and place the order.")
        % {"name": requisition.name},
    )
    query = urlencode([("line", f"{row['sku']}*{row['quantity']}") for row in rows])
    return redirect(f"{reverse('orders:create')}?{query}")


def _source_rows(request, source: SourceForm) -> tuple[str, list[dict], list[str]]:
    """What the page adds: (where it comes from, rows of SKU and quantity, SKUs left out
    as no longer sold). Another company's order or list, or a colleague's private list,
    is not found."""
    data = source.cleaned_data
    if data.get("order"):
        rows, dropped = order_lines_to_repeat(user=request.user, number=data["order"])
        return _("the lines of order %(number)s") % {"number": data["order"]}, rows, dropped
    if data.get("from_list"):
        requisition, rows, dropped = requisition_rows_to_order(
            user=request.user, list_id=data["from_list"], line_ids=source.line_ids()
        )
        return _("lines of the list “%(name)s”") % {"name": requisition.name}, rows, dropped
    sku = data["sku"].strip().upper()
    product = product_map_by_sku(company_id=request.user.company_id, skus=[sku]).get(sku)
    if product is None:
        return sku, [], [sku]
    return product.name, [{"sku": product.sku, "quantity": data.get("quantity") or 1}], []


@login_required
def requisition_add(request):
    """Add to a list: a product of the catalog, an order's lines, another list's lines."""
    _contact_required(request.user)
    source = SourceForm(request.POST if request.method == "POST" else request.GET)
    if not source.is_valid():
        messages.error(request, form_problem(source))
        return redirect("requisitions:list")
    title, rows, dropped = _source_rows(request, source)
    form = AddToListForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and not rows:
        form.add_error(None, _("Nothing here can be added to a list."))
    elif request.method == "POST" and form.is_valid():
        lines = [LineRequest(sku=row["sku"], quantity=row["quantity"]) for row in rows]
        target_id = form.cleaned_data.get("target")
        with page_refusals(request, back=reverse("requisitions:list"), show_on=form):
            if target_id:
                requisition = requisition_get_for_user(user=request.user, list_id=target_id)
                requisition = requisition_lines_add(
                    list_id=requisition.pk, actor=request.user, lines=lines
                )
            else:
                requisition = requisition_create(
                    owner=request.user, name=form.cleaned_data["new_name"], lines=lines
                )
            messages.success(
                request,
                _("Added to “%(name)s”.") % {"name": requisition.name},
            )
            return redirect("requisitions:detail", pk=requisition.pk)
    return render(
        request,
        "requisitions/requisition_add.html",
        {
            "source": source,
            "title": title,
            "rows": rows,
            "dropped": dropped,
            "form": form,
            "own_lists": list(requisition_own(user=request.user)),
        },
    )
