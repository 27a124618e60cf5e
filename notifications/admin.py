from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Notification, NotificationPreference
from .services import notification_resend


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "kind",
        "recipient",
        "subject",
        "status",
        "attempts",
        "sent_at",
        "read_at",
    )
    list_filter = ("status", "kind")
    list_select_related = ("recipient",)
    search_fields = ("recipient__email", "reference", "subject", "key")
    show_full_result_count = False
    readonly_fields = [f.name for f in Notification._meta.fields]
    actions = ["resend"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_resend_permission(self, request):
        return request.user.has_perm("notifications.change_notification")

    @admin.action(
        description=_("Send the selected failed notifications again"), permissions=["resend"]
    )
    def resend(self, request, queryset):
        count = notification_resend(notification_ids=queryset.values_list("pk", flat=True))
        self.message_user(request, _("%(n)d notifications queued again.") % {"n": count})


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "email_off")
    list_select_related = ("user",)
    search_fields = ("user__email",)
