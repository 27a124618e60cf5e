"""People's accounts in Django admin.

The people page is composed here, once, from what each app owns: the person's
fields and who may change whom (companies' rules), routing their waiting orders
again when they leave or move (``approvals.admin``), and the account itself:
adding a person sends them an invitation instead of asking for a password; the
company administrator role is a field of the person; a superuser turns two-factor
off for somebody who lost their authenticator and their recovery codes.
Invitations are listed, sent again and withdrawn here too. Django admin's own
login page sends people to the portal's, which asks for the second factor.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from approvals.admin import contacts_deactivate_and_report, reroute_after_person_saved
from companies.models import User
from core.admin import each_selected
from core.domain import DomainError

from .forms import NextForm
from .models import Invitation, InvitationStatus
from .services import (
    invitation_resend,
    invitation_revoke,
    invitation_send,
    two_factor_turn_off_for,
)


def _check_roles(data: dict) -> None:
    if data.get("is_staff") and data.get("company"):
        raise forms.ValidationError(_("Site admins belong to no company; clear one of them."))
    if data.get("is_company_admin") and not data.get("company"):
        raise forms.ValidationError(
            {"is_company_admin": _("A company administrator belongs to a company; choose it.")}
        )
    if data.get("is_company_admin") and data.get("is_staff"):
        raise forms.ValidationError(
            {"is_company_admin": _("Site admins belong to no company; clear one of them.")}
        )


class InviteUserForm(forms.ModelForm):
    """A person to invite: no password, they choose one from the email."""

    class Meta:
        model = User
        fields = ("email", "full_name", "job_title", "company", "is_company_admin")

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        data = super().clean()
        _check_roles(data)
        return data


class UserForm(UserChangeForm):
    class Meta:
        model = User
        fields = (
            "email",
            "password",
            "full_name",
            "job_title",
            "company",
            "is_company_admin",
            "monthly_limit",
            "is_active",
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
        )

    def clean(self):
        data = super().clean()
        _check_roles(data)
        return data


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserForm
    add_form = InviteUserForm
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "description": gettext_lazy(
                    "The person is emailed a link to choose their password. It works once, "
                    "for INVITATION_DAYS days; send it again from Invitations."
                ),
                "fields": ("email", "full_name", "job_title", "company", "is_company_admin"),
            },
        ),
    )
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            gettext_lazy("Person"),
            {"fields": ("full_name", "job_title", "company", "monthly_limit", "is_company_admin")},
        ),
        (
            gettext_lazy("Access"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (gettext_lazy("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    ordering = ("email",)
    list_display = (
        "email",
        "full_name",
        "company",
        "is_company_admin",
        "is_active",
        "is_staff",
        "two_factor",
        "last_login",
    )
    list_filter = ("is_active", "is_staff", "is_company_admin", "company")
    list_select_related = ("company",)
    search_fields = ("email", "full_name", "company__name")
    autocomplete_fields = ("company",)
    actions = ["deactivate", "turn_off_two_factor"]
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

    def get_queryset(self, request):
        devices = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(has_two_factor=Exists(devices))

    @admin.display(description=gettext_lazy("two-factor"), boolean=True)
    def two_factor(self, obj):
        return obj.has_two_factor

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            reroute_after_person_saved(request, self, obj, form)
            return None
        try:
            invitation = invitation_send(
                actor=request.user,
                email=obj.email,
                full_name=obj.full_name,
                job_title=obj.job_title,
                company_id=obj.company_id,
                company_admin=obj.is_company_admin,
            )
        except DomainError as exc:  # another site admin added the address meanwhile
            raise PermissionDenied(str(exc)) from exc
        # The admin's own messages and redirect follow the person the invitation made.
        obj.pk = invitation.user_id
        obj._state.adding = False
        self.message_user(
            request,
            _("%(person)s was emailed an invitation to choose a password.")
            % {"person": invitation.user.email},
        )
        return None

    @admin.action(
        description=gettext_lazy("Deactivate selected users (they can no longer log in)"),
        permissions=["change"],
    )
    def deactivate(self, request, queryset):
        contacts_deactivate_and_report(request, self, queryset.values_list("pk", flat=True))

    def has_superuser_permission(self, request):
        return request.user.is_superuser

    @admin.action(
        description=gettext_lazy("Turn two-factor off (lost authenticator and codes)"),
        permissions=["superuser"],
    )
    def turn_off_two_factor(self, request, queryset):
        count = two_factor_turn_off_for(
            user_ids=queryset.values_list("pk", flat=True), actor=request.user
        )
        self.message_user(
            request,
            ngettext(
                "Two-factor turned off for %(n)d person: their password alone logs in.",
                "Two-factor turned off for %(n)d people: their password alone logs in.",
                count,
            )
            % {"n": count},
        )


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("user", "company", "status", "expires_at", "sent_count", "invited_by")
    list_filter = ("status",)
    list_select_related = ("user", "user__company", "invited_by")
    search_fields = ("user__email", "user__full_name", "user__company__name")
    fields = (
        "person",
        "status",
        "invited_by",
        "created_at",
        "expires_at",
        "sent_count",
        "accepted_at",
    )
    readonly_fields = fields
    actions = ["resend", "revoke"]

    def has_add_permission(self, request):
        return False  # invite by adding a person under Users

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("company"), ordering="user__company__name")
    def company(self, obj):
        return obj.user.company

    @admin.display(description=gettext_lazy("person"))
    def person(self, obj):
        url = reverse("admin:companies_user_change", args=[obj.user_id])
        return format_html('<a href="{}">{}</a>', url, obj.user)

    def _each(self, request, queryset, service, done: str) -> None:
        each_selected(
            request,
            self,
            queryset.filter(status=InvitationStatus.PENDING).select_related("user"),
            lambda invitation: service(
                actor=request.user, user_id=invitation.user_id, seen_version=None
            ),
            done=done,
            label=lambda invitation: str(invitation.user),
            level=messages.ERROR,
        )

    @admin.action(
        description=gettext_lazy("Send a new link (the earlier ones stop working)"),
        permissions=["change"],
    )
    def resend(self, request, queryset):
        self._each(request, queryset, invitation_resend, _("New links sent: %(n)d."))

    @admin.action(
        description=gettext_lazy("Withdraw (the person is deactivated)"),
        permissions=["change"],
    )
    def revoke(self, request, queryset):
        self._each(request, queryset, invitation_revoke, _("Invitations withdrawn: %(n)d."))


def portal_login(request, extra_context=None):
    """Django admin's login page: the portal's, which asks for the second factor."""
    if request.user.is_authenticated:
        # Logged in, yet Django admin sent them here: their account has no access to it.
        raise PermissionDenied(_("Django admin is for site admins."))
    form = NextForm(request.GET)
    target = form.cleaned_data["next"] if form.is_valid() else ""
    return redirect_to_login(target or reverse("admin:index"))


# Its pages show people's authenticator secrets; turning two-factor off is the action above.
admin.site.unregister(TOTPDevice)
admin.site.login = portal_login
