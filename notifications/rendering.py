"""Turn an outbox row into an email: plain text and HTML from templates.

What each email says first and what its button does come from its kind, as the
app that sends it registered it (``notifications.kinds``). Placeholders come
from the row's context; the templates escape everything.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from .kinds import email_kind_for, preferences_path
from .links import extra_links_for, link_for
from .models import Notification


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
    kind = email_kind_for(row.kind)  # what each email says first and what its button does
    data = _Blank(row.context)
    data.setdefault("portal", settings.PORTAL_NAME)
    # A person's own account is always emailed: no choice to offer.
    preferences = preferences_path() if kind.preferences_link else ""
    context = {
        "recipient": row.recipient,
        "lead": str(kind.lead).format_map(data),
        "action": kind.button,
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
