"""Links an email carries that must not be stored: made when the email is sent.

An outbox row keeps what the email says in the database (``Notification.context``,
``path``), where anybody who reads the database could use it. A link that is a
secret itself (an invitation, a password reset) is therefore never written there:
the app that owns the kind registers a maker here when Django starts, and the
worker calls it while it renders the email. The outbox knows no app above it;
without a maker the link is the row's own page in the portal.

A maker returns the absolute address, or "" when there is nothing to link to any
more (the email then goes without a button).
"""

from collections.abc import Callable

from django.conf import settings

LinkMaker = Callable[["Notification"], str]  # noqa: F821 - the row, read by its attributes

_makers: dict[str, LinkMaker] = {}


def register(kind: str, maker: LinkMaker) -> None:
    """Make ``kind``'s links with ``maker`` from now on (an app's ``ready`` calls this)."""
    _makers[kind] = maker


def link_for(row) -> str:
    """The address the email's button opens."""
    maker = _makers.get(row.kind)
    if maker is not None:
        return maker(row)
    return settings.SITE_URL + row.path if row.path else ""
