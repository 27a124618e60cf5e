"""Admin pieces every app shares (this module registers nothing)."""

from django.contrib import admin

from core.money import format_money


class ReadOnlyInline(admin.TabularInline):
    """Rows shown under their parent in Django admin, never edited there: history, lines."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def money_field(name: str, description: str):
    """An admin column or read-only field showing a money field as the portal does."""

    def show(*args) -> str:
        # A method of the admin class when assigned there: (admin, obj).
        return format_money(getattr(args[-1], name))

    show.short_description = description
    show.admin_order_field = name
    return show
