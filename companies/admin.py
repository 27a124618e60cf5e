"""Companies and their people in Django admin.

The approvals app extends both pages with what it owns (tiers, routing again
when people leave): see ``approvals.admin``.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from .models import Company, CostCentre, DeliveryAddress, User
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


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = (
        (None, {"fields": ("name", "slug", "is_active")}),
        (_("Details for orders"), {"fields": ("billing_address", "vat_id", "payment_terms")}),
    )
    inlines = [DeliveryAddressInline, CostCentreInline, ContactInline]


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "company")


class UserForm(UserChangeForm):
    class Meta:
        model = User
        fields = (
            "email",
            "password",
            "full_name",
            "job_title",
            "company",
            "monthly_limit",
            "is_active",
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
        )

    def clean(self):
        data = super().clean()
        if data.get("is_staff") and data.get("company"):
            raise forms.ValidationError(_("Site admins belong to no company; clear one of them."))
        return data


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserForm
    add_form = UserCreationForm
    ordering = ("email",)
    list_display = ("email", "full_name", "company", "is_active", "is_staff", "last_login")
    list_filter = ("is_active", "is_staff", "company")
    list_select_related = ("company",)
    search_fields = ("email", "full_name", "company__name")
    autocomplete_fields = ("company",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "job_title", "company", "monthly_limit")}),
        (
            _("Access"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    # Who may do what: only a superuser grants it (staff, groups, permissions).
    ROLE_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")

    def has_change_permission(self, request, obj=None):
        # A site admin looks after contacts; other staff accounts are a superuser's.
        if obj is not None and obj.is_staff and not request.user.is_superuser:
            return obj.pk == request.user.pk and super().has_change_permission(request, obj)
        return super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if request.user.is_superuser:
            return fields
        return (*fields, *self.ROLE_FIELDS)

    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "company", "password1", "password2"),
            },
        ),
    )
