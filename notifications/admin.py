from urllib.parse import urlsplit

from django import forms
from django.contrib import admin
from django.urls import path
from django.utils.translation import gettext_lazy as _

from .admin_outbox import OUTBOX_CHANGE_LIST, outbox_stuck_view
from .kinds import webhook_event_choices
from .models import (
    Notification,
    NotificationPreference,
    WebhookDelivery,
    WebhookEndpoint,
)
from .services import notification_resend, webhook_resend


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "kind",
        "recipient",
        "subject",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "read_at",
    )
    list_filter = ("status", "kind")
    list_select_related = ("recipient",)
    search_fields = ("recipient__email", "reference", "subject", "key")
    show_full_result_count = False
    readonly_fields = [f.name for f in Notification._meta.fields]
    actions = ["resend"]
    change_list_template = OUTBOX_CHANGE_LIST

    def get_urls(self):
        # The outbox's page of what is stuck, across every channel (admin_outbox).
        stuck = path(
            "outbox/",
            self.admin_site.admin_view(outbox_stuck_view(self.admin_site)),
            name="notifications_outbox_stuck",
        )
        return [stuck, *super().get_urls()]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_resend_permission(self, request):
        return request.user.has_perm("notifications.change_notification")

    @admin.action(
        description=_("Send the selected failed or waiting notifications again now"),
        permissions=["resend"],
    )
    def resend(self, request, queryset):
        count = notification_resend(notification_ids=queryset.values_list("pk", flat=True))
        self.message_user(request, _("%(n)d notifications queued again.") % {"n": count})


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "email_off")
    list_select_related = ("user",)
    search_fields = ("user__email",)


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=webhook_event_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The events posted to this URL."),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("name", "url", "secret", "is_active", "events")

    def clean_url(self):
        url = self.cleaned_data["url"]
        if urlsplit(url).scheme not in {"http", "https"}:
            raise forms.ValidationError(_("Enter an http:// or https:// URL."))
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ("name", "url", "is_active", "event_list", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "url")

    @admin.display(description=_("events"))
    def event_list(self, obj):
        return ", ".join(obj.events or [])


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log: what was posted where, how it went, and when it is tried again."""

    list_display = (
        "created_at",
        "event",
        "reference",
        "endpoint",
        "status",
        "attempts",
        "last_response_code",
        "next_attempt_at",
        "sent_at",
    )
    list_filter = ("status", "event", "endpoint")
    list_select_related = ("endpoint",)
    search_fields = ("reference", "=event_id", "last_error")
    show_full_result_count = False
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    actions = ["resend"]
    change_list_template = OUTBOX_CHANGE_LIST

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_resend_permission(self, request):
        return request.user.has_perm("notifications.change_webhookdelivery")

    @admin.action(description=_("Re-send the selected deliveries"), permissions=["resend"])
    def resend(self, request, queryset):
        count = webhook_resend(delivery_ids=queryset.values_list("pk", flat=True))
        self.message_user(request, _("%(n)d deliveries queued again.") % {"n": count})
