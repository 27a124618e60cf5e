"""Admin pieces every app shares (this module registers nothing)."""

from collections.abc import Callable, Iterable

from django.contrib import admin, messages

from core.domain import DomainError
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


def each_selected(
    request,
    model_admin: admin.ModelAdmin,
    rows: Iterable,
    act: Callable[[object], object],
    *,
    done: str,
    label: Callable[[object], str] | None = None,
    level: int = messages.WARNING,
) -> int:
    """An admin action over the selected rows, each through its service (``act``).

    A row the service refuses is said, with why (and which row, when ``label``
    names it); the rest are counted in ``done`` (``%(n)d``). Returns that count.
    This is the admin's one answer to a refusal, as ``core.refusals`` is the pages'.
    """
    count = 0
    for row in rows:
        try:
            act(row)
        except DomainError as exc:
            model_admin.message_user(request, f"{label(row)}: {exc}" if label else str(exc), level)
        else:
            count += 1
    model_admin.message_user(request, done % {"n": count})
    return count
