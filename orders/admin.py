from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from companies.roles import FULFIL_ORDERS
from core.admin import ReadOnlyInline, each_selected, money_field

from .models import Order, OrderEvent, OrderLine
from .services import order_fulfil


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ("product", "quantity", "unit_price_shown", "line_total_shown")
    readonly_fields = fields
    unit_price_shown = money_field("unit_price", _("unit price"))
    line_total_shown = money_field("line_total", _("line total"))


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ("created_at", "kind", "actor", "from_status", "to_status", "comment")
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Read-mostly: status moves go through services, as in the portal."""

    list_display = ("number", "company", "placed_by", "status", "total_shown", "created_at")
    list_filter = ("status", "company")
    list_select_related = ("company", "placed_by")
    search_fields = ("number", "po_reference", "company__name", "placed_by__email")
    date_hierarchy = "created_at"
    show_full_result_count = False
    readonly_fields = (
        "number",
        "company",
        "placed_by",
        "status",
        "total_shown",
        "quote_number",
        "po_reference",
        "delivery_to",
        "delivery_date",
        "cost_centre",
        "note_to_seller",
        "version",
        "created_at",
        "updated_at",
    )
    fields = readonly_fields
    inlines = [OrderLineInline, OrderEventInline]
    total_shown = money_field("total", _("total"))
    actions = ["mark_fulfilled"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_fulfil_permission(self, request):
        return request.user.has_perm(FULFIL_ORDERS)

    @admin.action(description=_("Mark selected approved orders fulfilled"), permissions=["fulfil"])
    def mark_fulfilled(self, request, queryset):
        each_selected(
            request,
            self,
            queryset.values_list("pk", flat=True),
            lambda order_id: order_fulfil(order_id=order_id, actor=request.user),
            done=_("%(n)d orders marked fulfilled."),
        )
