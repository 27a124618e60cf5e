"""Approval tiers are configured on the company page (see companies.admin)."""

from django import forms
from django.contrib import admin, messages
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from companies.models import ApprovalMode, Company, User

from .models import ApprovalTier
from .selectors import approval_tier_preview
from .services import approval_company_reroute


class ApprovalTierForm(forms.ModelForm):
    class Meta:
        model = ApprovalTier
        fields = ("approver", "minimum", "label")


class ApprovalTierInline(admin.TabularInline):
    model = ApprovalTier
    form = ApprovalTierForm
    extra = 0
    fields = ("approver", "minimum", "label")
    ordering = ("minimum", "id")
    verbose_name = gettext_lazy("approval tier")
    verbose_name_plural = gettext_lazy(
        "approval tiers (orders from the minimum up wait for the approver; "
        "approvers sharing a minimum decide for each other)"
    )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "approver":
            # This company's contacts; inactive ones stay listed so a tier of someone who
            # left shows the model's "must be an active contact" rather than a blank choice.
            company_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = (
                User.objects.filter(company_id=company_id).order_by("-is_active", "full_name")
                if company_id
                else User.objects.none()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def tier_preview(company: Company) -> str:
    """The company's saved tiers as a table of amounts and who decides them."""
    mode, rows = approval_tier_preview(company=company)
    return render_to_string(
        "approvals/admin/tier_preview.html",
        {"mode": mode, "rows": rows, "escalating": mode == ApprovalMode.ESCALATING},
    )


def tiers_changed(form, formsets) -> bool:
    """Whether a company save touched what routing reads: its mode or its tiers."""
    if "approval_mode" in form.changed_data:
        return True
    return any(fs.model is ApprovalTier and fs.has_changed() for fs in formsets)


def reroute_and_report(request, model_admin, company_ids) -> None:
    """Route the companies' waiting orders again and say in the admin which moved."""
    numbers = []
    for company_id in sorted(set(company_ids)):
        numbers += [
            o.number for o in approval_company_reroute(company_id=company_id, actor=request.user)
        ]
    if numbers:
        model_admin.message_user(
            request,
            ngettext(
                "%(n)d waiting order was re-routed to the current tiers: %(numbers)s.",
                "%(n)d waiting orders were re-routed to the current tiers: %(numbers)s.",
                len(numbers),
            )
            % {"n": len(numbers), "numbers": ", ".join(numbers)},
            messages.WARNING,
        )
    else:
        model_admin.message_user(
            request, _("No order waiting for approval had to be re-routed."), messages.INFO
        )
