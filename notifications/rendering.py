"""Turn an outbox row into an email: plain text and HTML from templates."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .links import extra_links_for, link_for
from .models import ACCOUNT_KINDS, Notification, NotificationKind

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
    NotificationKind.INVITATION: (
        _(
            "{actor} invited you to {portal} for {company}. Choose your password to start: "
            "the link works once, until {expires}."
        ),
        _("Choose your password"),
    ),
    NotificationKind.PASSWORD_RESET: (
        _(
            "Somebody asked to reset the password of your {portal} account ({email}). "
            "The link works once, within {hours} hours. If it was not you, ignore this "
            "email: your password stays as it is."
        ),
        _("Choose a new password"),
    ),
}


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
    data.setdefault("portal", settings.PORTAL_NAME)
    # A person's own account is always emailed: no choice to offer.
    preferences = "" if row.kind in ACCOUNT_KINDS else reverse("accounts:preferences")
    context = {
        "recipient": row.recipient,
        "lead": str(lead_text).format_map(data),
        "action": action,
        "url": link_for(row),
        "quoted": data["quoted"],
        "quoted_by": data["quoted_by"],
        "changes": row.context.get("changes") or [],
        "details": row.context.get("details") or [],
        "links": extra_links_for(row),
        "preferences_url": settings.SITE_URL + preferences if preferences else "",
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
