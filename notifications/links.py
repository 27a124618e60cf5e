"""Links an email carries that must not be stored: made when the email is sent.

An outbox row keeps what the email says in the database (``Notification.context``,
``path``), where anybody who reads the database could use it. A link that is a
secret itself (an invitation, a password reset) is therefore never written there:
the app that owns the kind gives it a link maker when it registers the kind
(``notifications.kinds.email_kind``), and the worker calls it while it renders
the email. Without a maker the link is the row's own page in the portal.

A maker returns the absolute address, or "" when there is nothing to link to any
more (the email then goes without a button). Links beside the button (deciding
an approval from the email) are made the same way (``extra_links``).
"""

from django.conf import settings

from .kinds import email_kind_for


def extra_links_for(row) -> list[tuple[str, str]]:
    maker = email_kind_for(row.kind).extra_links
    return maker(row) if maker is not None else []


def link_for(row) -> str:
    """The address the email's button opens."""
    maker = email_kind_for(row.kind).link
    if maker is not None:
        return maker(row)
    return settings.SITE_URL + row.path if row.path else ""
