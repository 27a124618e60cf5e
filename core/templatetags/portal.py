from django import template
from django.utils import timezone
from django.utils.timesince import timesince

from core.money import format_money

register = template.Library()


@register.filter
def money(value) -> str:
    """1234.5 -> "$1,234.50" in the installation's currency."""
    return format_money(value)


@register.filter
def waiting_for(value) -> str:
    """How long since a moment, short: "3 hours"."""
    if not value:
        return ""
    return timesince(value, timezone.now(), depth=1)


_BADGES = {
    "pending_approval": "warning",
    "approved": "success",
    "rejected": "danger",
    "cancelled": "secondary",
    "fulfilled": "primary",
    "requested": "info",
    "offered": "warning",
    "accepted": "success",
    "ordered": "primary",
    "withdrawn": "secondary",
    "expired": "secondary",
    "open": "warning",
    "waiting": "light",
    "void": "secondary",
    "closed": "secondary",
    "pending": "warning",
    "sent": "success",
    "failed": "danger",
}


@register.inclusion_tag("_status_badge.html")
def status_badge(status: str, label: str = ""):
    return {"color": _BADGES.get(status, "secondary"), "label": label or status}
