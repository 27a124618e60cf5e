"""Turn an outbox row into an email: plain text and HTML from templates."""

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Notification, NotificationKind

# What each email says first and what its button does. Placeholders come from
# the row's context; the templates escape everything.
TEXTS = {
    NotificationKind.ORDER_WAITING: (
        _("Order {number} from {buyer} ({total}) is waiting for your approval."),
        _("Review the order"),
    ),
    NotificationKind.ORDER_APPROVED: (
        _("Your order {number} ({total}) was approved."),
        _("View the order"),
    ),
    NotificationKind.ORDER_REJECTED: (
        _("Your order {number} ({total}) was rejected by {actor}."),
        _("View the order"),
    ),
    NotificationKind.ORDER_CHANGES_REQUESTED: (
        _("{actor} asks you to change your order {number} ({total}) before deciding it."),
        _("Change the order"),
    ),
    NotificationKind.ORDER_EDITED: (
        _("{actor} changed order {number}; it was waiting for you. It has been routed again."),
        _("View the order"),
    ),
    NotificationKind.ORDER_CANCELLED: (
        _("{actor} cancelled order {number}; it no longer waits for you."),
        _("View the order"),
    ),
    NotificationKind.APPROVAL_REMINDER: (
        _(
            "Order {number} from {buyer} ({total}) has been waiting for your approval "
            "for {hours} hours."
        ),
        _("Review the order"),
    ),
    NotificationKind.APPROVAL_DELEGATED: (
        _("{approver} is away from {starts} to {ends}: you decide their approvals meanwhile."),
        _("Open your queue"),
    ),
    NotificationKind.APPROVAL_OVERDUE: (
        _("Order {number} of {company} ({total}) has been waiting for approval for {hours} hours."),
        _("See the order"),
    ),
    NotificationKind.QUOTE_REQUESTED: (
        _("{actor} of {company} requested quote {number}."),
        _("Answer the quote"),
    ),
    NotificationKind.QUOTE_EDITED: (
        _("{actor} of {company} changed quote {number}."),
        _("Answer the quote"),
    ),
    NotificationKind.QUOTE_WITHDRAWN: (
        _("{actor} of {company} withdrew quote {number}."),
        _("View the quote"),
    ),
    NotificationKind.QUOTE_ACCEPTED: (
        _("{actor} of {company} accepted the offer on quote {number}."),
        _("View the quote"),
    ),
    NotificationKind.QUOTE_MESSAGE: (_("{actor} wrote on quote {number}."), _("Reply")),
    NotificationKind.QUOTE_OFFERED: (
        _("{actor} made an offer on your quote {number}: {total}."),
        _("Review the offer"),
    ),
    NotificationKind.QUOTE_REJECTED: (_("Your quote {number} was rejected."), _("View the quote")),
    NotificationKind.QUOTE_EXPIRING: (
        _("The offer on your quote {number} ({total}) expires on {expires}."),
        _("Review the offer"),
    ),
    NotificationKind.QUOTE_EXPIRED: (
        _("The offer on your quote {number} expired."),
        _("View the quote"),
    ),
}


# Links an email carries beside its main button, made when it is sent, for its one
# recipient: they may hold a signed token, which must never rest in the outbox's
# rows. The app whose event it is registers a builder (in its AppConfig.ready):
# it returns (label, absolute URL) pairs for a row.
LinkBuilder = Callable[[Notification], list[tuple[str, str]]]
_LINK_BUILDERS: dict[str, LinkBuilder] = {}


def register_links(kind: str, builder: LinkBuilder) -> None:
    _LINK_BUILDERS[kind] = builder


class _Blank(dict):
    def __missing__(self, key):
        return ""


def message_id(row: Notification) -> str:
    """The same Message-ID for every copy of one row's email, unique to the row.

    A copy sent again after a worker died mid-send is then recognisable as the
    same message (and some mail services drop it).
    """
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<notification.{row.pk}.{row.created_at:%Y%m%d%H%M%S%f}@{domain}>"


def render_email(row: Notification) -> EmailMultiAlternatives:
    lead_text, action = TEXTS[row.kind]
    data = _Blank(row.context)
    context = {
        "recipient": row.recipient,
        "lead": str(lead_text).format_map(data),
        "action": action,
        "url": settings.SITE_URL + row.path,
        "quoted": data["quoted"],
        "quoted_by": data["quoted_by"],
        "changes": row.context.get("changes") or [],
        "links": _LINK_BUILDERS[row.kind](row) if row.kind in _LINK_BUILDERS else [],
        "preferences_url": settings.SITE_URL + reverse("notifications:preferences"),
        "portal_name": settings.PORTAL_NAME,
    }
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=render_to_string("notifications/email.txt", context),
        to=[row.recipient.email],
        headers={"Message-ID": message_id(row), "X-Portal-Notification": str(row.pk)},
    )
    message.attach_alternative(render_to_string("notifications/email.html", context), "text/html")
    return message
