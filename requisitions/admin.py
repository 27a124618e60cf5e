from django.contrib import admin

from core.admin import ReadOnlyInline

from .models import RequisitionEvent, RequisitionLine, RequisitionList


class RequisitionLineInline(ReadOnlyInline):
    model = RequisitionLine
    fields = ("product", "quantity")
    readonly_fields = fields


class RequisitionEventInline(ReadOnlyInline):
    model = RequisitionEvent
    fields = ("created_at", "kind", "actor", "detail")
    readonly_fields = fields


@admin.register(RequisitionList)
class RequisitionListAdmin(admin.ModelAdmin):
    """Read-only: buyers keep their lists in the portal."""

    list_display = ("name", "company", "owner", "is_shared", "updated_at")
    list_filter = ("is_shared",)
    search_fields = ("name", "company__name", "owner__email")
    list_select_related = ("company", "owner")
    readonly_fields = ("name", "company", "owner", "is_shared", "version", "created_at")
    inlines = [RequisitionLineInline, RequisitionEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
