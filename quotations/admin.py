from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyInline, money_field

from .models import Quote, QuoteEvent, QuoteLine, QuoteMessage, QuoteRevision


class QuoteLineInline(ReadOnlyInline):
    model = QuoteLine
    fields = ("product", "quantity", "target_shown", "offered_shown")
    readonly_fields = fields
    target_shown = money_field("target_unit_price", _("target unit price"))
    offered_shown = money_field("offered_unit_price", _("offered unit price"))


class QuoteRevisionInline(ReadOnlyInline):
    model = QuoteRevision
    fields = ("number", "kind", "author", "created_at", "expires_at", "lines")
    readonly_fields = fields


class QuoteMessageInline(ReadOnlyInline):
    model = QuoteMessage
    fields = ("created_at", "author", "body")
    readonly_fields = fields


class QuoteEventInline(ReadOnlyInline):
    model = QuoteEvent
    fields = ("created_at", "kind", "actor", "from_status", "to_status", "comment")
    readonly_fields = fields


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    """Read-mostly: quotes are answered on the quote desk, through services."""

    list_display = (
        "number",
        "company",
        "requested_by",
        "status",
        "last_activity_at",
        "expires_at",
        "order",
    )
    list_filter = ("status", "company")
    list_select_related = ("company", "requested_by", "order")
    search_fields = ("number", "company__name", "requested_by__email")
    date_hierarchy = "created_at"
    show_full_result_count = False
    readonly_fields = (
        "number",
        "company",
        "requested_by",
        "status",
        "version",
        "expires_at",
        "order",
        "po_reference",
        "delivery_to",
        "delivery_date",
        "cost_centre",
        "note_to_seller",
        "last_activity_at",
        "created_at",
        "updated_at",
    )
    fields = readonly_fields
    inlines = [QuoteLineInline, QuoteRevisionInline, QuoteMessageInline, QuoteEventInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
