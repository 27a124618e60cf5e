"""The company's details: every contact sees them, its administrators change them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from companies.selectors import company_details
from companies.services import AddressRow, CentreRow, company_details_update
from core.forms import explain_hidden_errors
from core.refusals import page_refusals

from ..forms import AddressFormSet, CentreFormSet, CompanyDetailsForm
from ..selectors import is_company_admin


def _detail_forms(data, company):
    """The details form and the two formsets, bound to ``data`` or showing ``company``."""
    if data is not None:
        return (
            CompanyDetailsForm(data),
            AddressFormSet(data, prefix="addresses"),
            CentreFormSet(data, prefix="centres"),
        )
    return (
        CompanyDetailsForm(
            initial={
                "version": company.details_version,
                "billing_address": company.billing_address,
                "vat_id": company.vat_id,
                "payment_terms": company.payment_terms,
            }
        ),
        AddressFormSet(
            prefix="addresses",
            initial=[
                {"id": a.pk, "label": a.label, "address": a.address, "is_default": a.is_default}
                for a in company.delivery_addresses.all()
            ],
        ),
        CentreFormSet(
            prefix="centres",
            initial=[
                {"id": c.pk, "code": c.code, "name": c.name} for c in company.cost_centres.all()
            ],
        ),
    )


@login_required
def company(request):
    """The company's billing address, VAT id, payment terms, delivery addresses and cost
    centres: read by every contact, changed by the company's administrators."""
    if request.user.company_id is None:
        raise PermissionDenied(_("Only contact persons of a company have company details."))
    details = company_details(company_id=request.user.company_id)
    can_change = is_company_admin(request.user)
    if request.method == "POST" and not can_change:
        raise PermissionDenied(_("Only your company's administrators change its details."))
    form, addresses, centres = _detail_forms(
        request.POST if request.method == "POST" else None, details
    )
    if request.method == "POST":
        valid = [form.is_valid(), addresses.is_valid(), centres.is_valid()]
        if all(valid):
            details_seen = dict(form.cleaned_data)
            with page_refusals(
                request, back=reverse("accounts:company"), show_on=(form, addresses, centres)
            ):
                company_details_update(
                    company_id=details.pk,
                    actor=request.user,
                    seen_version=details_seen.pop("version"),
                    **details_seen,
                    addresses=[
                        AddressRow(
                            id=row.cleaned_data.get("id"),
                            label=row.cleaned_data.get("label") or "",
                            address=row.cleaned_data.get("address") or "",
                            is_default=bool(row.cleaned_data.get("is_default")),
                            delete=bool(row.cleaned_data.get("DELETE")),
                        )
                        for row in addresses.forms
                        if not row.is_blank()
                    ],
                    cost_centres=[
                        CentreRow(
                            id=row.cleaned_data.get("id"),
                            code=row.cleaned_data.get("code") or "",
                            name=row.cleaned_data.get("name") or "",
                            delete=bool(row.cleaned_data.get("DELETE")),
                        )
                        for row in centres.forms
                        if not row.is_blank()
                    ],
                )
                messages.success(request, _("The company's details are saved."))
                return redirect("accounts:company")
        else:
            explain_hidden_errors(form)
            explain_hidden_errors(addresses)
            explain_hidden_errors(centres)
    return render(
        request,
        "accounts/company.html",
        {
            "company": details,
            "can_change": can_change,
            "form": form,
            "addresses": addresses,
            "centres": centres,
        },
    )
