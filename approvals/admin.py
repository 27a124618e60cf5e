"""The company page of Django admin, and what approvals add to the people page.

The company page is composed here, once: the company's own fields and rows
(``companies.admin``) with what approvals own (the tiers inline, the routing mode
and its preview, routing again when the tiers change). The people page is
composed in ``accounts.admin``, with the helpers below for what approvals do when
people leave or move: their waiting orders are routed again.
"""

from django import forms
from django.contrib import admin, messages
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from companies.admin import COMPANY_FIELDSETS, COMPANY_INLINES, details_changed
from companies.models import ApprovalMode, Company, User
from companies.services import company_details_changed
from core.admin import each_selected
from core.domain import DomainError
from core.refusals import show_refusal

from .models import LIVE_DELEGATION, ApprovalTier, Delegation
from .selectors import approval_tier_preview
from .services import (
    approval_company_reroute,
    approval_contacts_deactivate,
    delegation_cancel,
    delegation_check,
    delegation_plan,
)


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


def report_rerouted(request, model_admin, orders) -> None:
    """Say in the admin which waiting orders moved."""
    numbers = [order.number for order in orders]
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


def reroute_and_report(request, model_admin, company_ids) -> None:
    """Route the companies' waiting orders again and say in the admin which moved."""
    orders = []
    for company_id in sorted(set(company_ids)):
        orders += approval_company_reroute(company_id=company_id, actor=request.user)
    report_rerouted(request, model_admin, orders)


def contacts_deactivate_and_report(request, model_admin, user_ids) -> None:
    """Deactivate people from an admin list; their waiting approvals move on, and the
    admin says which orders moved."""
    done, rerouted = approval_contacts_deactivate(user_ids=user_ids, actor=request.user)
    if done.spared:
        model_admin.message_user(
            request,
            _("Superusers and your own account are not deactivated from this list."),
            messages.WARNING,
        )
    model_admin.message_user(request, _("%(n)d users deactivated.") % {"n": len(done.user_ids)})
    # An approver who left no longer decides: their waiting orders moved on.
    if done.company_ids:
        report_rerouted(request, model_admin, rerouted)


def reroute_after_person_saved(request, model_admin, person: User, form) -> None:
    """A person saved in admin who left, came back or moved company: the waiting
    orders of the companies concerned are routed again."""
    if {"is_active", "company"} & set(form.changed_data):
        company_ids = [c for c in (form.initial.get("company"), person.company_id) if c]
        if company_ids:
            reroute_and_report(request, model_admin, company_ids)


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "is_active", "approval_mode", "created_at")
    list_filter = ("is_active", "approval_mode")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("approval_preview",)
    fieldsets = (
        *COMPANY_FIELDSETS,
        (
            gettext_lazy("Order approval"),
            {
                "fields": (
                    "approval_mode",
                    "approval_preview",
                    "monthly_budget",
                    "approval_links_need_login",
                )
            },
        ),
    )
    inlines = [*COMPANY_INLINES, ApprovalTierInline]

    @admin.display(description=gettext_lazy("where orders go"))
    def approval_preview(self, obj):
        return tier_preview(obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change and details_changed(form, formsets):
            company_details_changed(company_id=form.instance.pk)
        if change and tiers_changed(form, formsets):
            reroute_and_report(request, self, [form.instance.pk])


class DelegationForm(forms.ModelForm):
    class Meta:
        model = Delegation
        fields = ("approver", "delegate", "starts_at", "ends_at")

    actor = None  # the site admin, set by the admin page

    def clean(self):
        data = super().clean()
        if all(data.get(f) for f in ("approver", "delegate", "starts_at", "ends_at")):
            try:
                delegation_check(
                    approver=data["approver"],
                    delegate=data["delegate"],
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    actor=self.actor,
                )
            except DomainError as exc:
                show_refusal(exc, self)
        return data


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    """Periods away, planned for an approver (through the service that applies them)."""

    form = DelegationForm
    list_display = ("approver", "delegate", "starts_at", "ends_at", "status", "created_by")
    list_filter = ("status",)
    list_select_related = ("approver", "delegate", "created_by")
    search_fields = ("approver__email", "approver__full_name", "delegate__email")
    autocomplete_fields = ("approver", "delegate")
    actions = ["cancel"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.actor = request.user
        return form

    def save_model(self, request, obj, form, change):
        planned = delegation_plan(
            approver=form.cleaned_data["approver"],
            delegate=form.cleaned_data["delegate"],
            starts_at=form.cleaned_data["starts_at"],
            ends_at=form.cleaned_data["ends_at"],
            actor=request.user,
        )
        obj.pk = planned.pk

    def save_form(self, request, form, change):
        return form.save(commit=False)

    @admin.action(
        description=gettext_lazy("Cancel or end the selected periods"), permissions=["add"]
    )
    def cancel(self, request, queryset):
        each_selected(
            request,
            self,
            queryset.filter(status__in=LIVE_DELEGATION).values_list("pk", flat=True),
            lambda pk: delegation_cancel(delegation_id=pk, actor=request.user),
            done=_("%(n)d periods cancelled or ended."),
        )
