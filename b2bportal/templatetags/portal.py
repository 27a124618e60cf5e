from decimal import Decimal

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.timesince import timesince

register = template.Library()

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}


@register.filter
def money(value) -> str:
    """1234.5 -> "$1,234.50" in the installation's currency."""
    if value is None or value == "":
        return ""
    amount = Decimal(value).quantize(Decimal("0.01"))
    sign = "-" if amount < 0 else ""
    symbol = _SYMBOLS.get(settings.CURRENCY_CODE)
    formatted = f"{abs(amount):,.2f}"
    if symbol:
        return f"{sign}{symbol}{formatted}"
    return f"{sign}{formatted} {settings.CURRENCY_CODE}"


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
