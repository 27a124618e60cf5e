from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from approvals.admin import ApprovalTierInline, reroute_and_report, tier_preview, tiers_changed

from .models import Company, User


class ContactInline(admin.TabularInline):
    model = User
    fields = ("full_name", "email", "job_title", "is_active", "last_login")
    readonly_fields = ("full_name", "email", "job_title", "last_login")
    show_change_link = True
    extra = 0
    can_delete = False
    verbose_name = _("contact person")
    verbose_name_plural = _("contact persons (add new ones under Users, with a password)")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "is_active", "approval_mode", "created_at")
    list_filter = ("is_active", "approval_mode")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("approval_preview",)
    fieldsets = (
        (None, {"fields": ("name", "slug", "is_active")}),
        (_("Order approval"), {"fields": ("approval_mode", "approval_preview")}),
    )
    inlines = [ContactInline, ApprovalTierInline]

    @admin.display(description=_("where orders go"))
    def approval_preview(self, obj):
        return tier_preview(obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change and tiers_changed(form, formsets):
            reroute_and_report(request, self, [form.instance.pk])


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "company")


class UserForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

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
    actions = ["deactivate"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "job_title", "company")}),
        (
            _("Access"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "company", "password1", "password2"),
            },
        ),
    )

    @admin.action(
        description=_("Deactivate selected users (they can no longer log in)"),
        permissions=["change"],
    )
    def deactivate(self, request, queryset):
        spared = queryset.filter(Q(pk=request.user.pk) | Q(is_superuser=True))
        if spared.exists():
            self.message_user(
                request,
                _("Superusers and your own account are not deactivated from this list."),
                messages.WARNING,
            )
            queryset = queryset.exclude(pk__in=spared.values("pk"))
        company_ids = [c for c in queryset.values_list("company_id", flat=True) if c]
        updated = queryset.update(is_active=False)
        self.message_user(request, _("%(n)d users deactivated.") % {"n": updated})
        # An approver who left no longer decides: their waiting orders move on.
        if company_ids:
            reroute_and_report(request, self, company_ids)

    def save_model(self, request, obj, form, change):
        previous_company = form.initial.get("company") if change else None
        super().save_model(request, obj, form, change)
        if change and {"is_active", "company"} & set(form.changed_data):
            company_ids = [c for c in (previous_company, obj.company_id) if c]
            if company_ids:
                reroute_and_report(request, self, company_ids)
