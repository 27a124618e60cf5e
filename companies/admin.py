"""The parts of the company and people pages of Django admin that companies own.

Each page is one class, registered once, in the app that knows every part of it:
the company page in ``approvals.admin`` (which adds the tiers), the people page in
``accounts.admin`` (which adds invitations, two-factor and routing again when
people leave). Nothing here is registered, so no page depends on the order apps
are installed in.
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import CostCentre, DeliveryAddress, User
from .services import delivery_default_clear


class ContactInline(admin.TabularInline):
    model = User
    fields = ("full_name", "email", "job_title", "is_active", "last_login")
    readonly_fields = ("full_name", "email", "job_title", "last_login")
    show_change_link = True
    extra = 0
    can_delete = False
    verbose_name = _("contact person")
    verbose_name_plural = _(
        "contact persons (add new ones under Users: they are emailed an invitation)"
    )

    def has_add_permission(self, request, obj=None):
        return False


class DeliveryAddressFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        defaults = [
            f
            for f in self.forms
            if f.cleaned_data.get("is_default") and not f.cleaned_data.get("DELETE")
        ]
        if len(defaults) > 1:
            raise forms.ValidationError(_("Only one delivery address is the default."))
        self.new_default = defaults[0].instance if defaults else None

    def save(self, commit=True):
        if commit and getattr(self, "new_default", None) is not None and self.instance.pk:
            delivery_default_clear(company_id=self.instance.pk, keep=self.new_default)
        return super().save(commit)


class DeliveryAddressInline(admin.TabularInline):
    model = DeliveryAddress
    formset = DeliveryAddressFormSet
    fields = ("label", "address", "is_default")
    extra = 0

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "address":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 3, "cols": 40})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class CostCentreInline(admin.TabularInline):
    model = CostCentre
    fields = ("code", "name")
    extra = 0
    verbose_name_plural = _("cost centres (none: buyers type their own)")


# The company page's own fields and rows (its approval setup is the approvals app's).
COMPANY_FIELDSETS = (
    (None, {"fields": ("name", "slug", "is_active")}),
    (_("Details for orders"), {"fields": ("billing_address", "vat_id", "payment_terms")}),
)
COMPANY_INLINES = [DeliveryAddressInline, CostCentreInline, ContactInline]


def details_changed(form, formsets) -> bool:
    """Whether a company save touched its details (what its administrators also keep)."""
    if {"billing_address", "vat_id", "payment_terms"} & set(form.changed_data):
        return True
    return any(fs.model in (DeliveryAddress, CostCentre) and fs.has_changed() for fs in formsets)
