from datetime import timedelta

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from core.money import format_money

register = template.Library()

# Under this, "just now" rather than "0 minutes".
JUST_NOW = timedelta(minutes=1)


@register.filter
def money(value) -> str:
    """1234.5 -> "$1,234.50": the installation's currency in the reader's locale."""
    return format_money(value)


@register.filter
def when(value) -> str:
    """A moment as the portal writes it everywhere: the locale's DATETIME_FORMAT."""
    if not value:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "DATETIME_FORMAT")


@register.simple_tag
def timestamp(value) -> str:
    """``<time>`` with the moment for machines and ``when`` for people."""
    if not value:
        return ""
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), when(value))


def _elapsed(value):
    return timezone.now() - value if value else None


@register.filter
def waiting_for(value) -> str:
    """How long since a moment, short: "3 hours"; "just now" under a minute."""
    elapsed = _elapsed(value)
    if elapsed is None:
        return ""
    if elapsed < JUST_NOW:
        return _("just now")
    return timesince(value, timezone.now(), depth=1)


@register.filter
def ago(value) -> str:
    """ "3 hours ago"; "just now" under a minute."""
    elapsed = _elapsed(value)
    if elapsed is None:
        return ""
    if elapsed < JUST_NOW:
        return _("just now")
    return _("%(time)s ago") % {"time": timesince(value, timezone.now(), depth=1)}


_BADGES = {
    "pending_approval": "warning",
    "changes_requested": "info",
    "returned": "info",
    "scheduled": "light",
    "active": "success",
    "ended": "secondary",
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


@register.simple_tag
def status_badge(status: str, label: str = ""):
    """A status as a coloured pill (a simple tag: lists show one per row, and an
    inclusion tag would render a template for each)."""
    return format_html(
        '<span class="badge rounded-pill text-bg-{}">{}</span>',
        _BADGES.get(status, "secondary"),
        label or status,
    )
