"""Links an email carries that must not be stored: made when the email is sent.

An outbox row keeps what the email says in the database (``Notification.context``,
``path``), where anybody who reads the database could use it. A link that is a
secret itself (an invitation, a password reset) is therefore never written there:
the app that owns the kind registers a maker here when Django starts, and the
worker calls it while it renders the email. The outbox knows no app above it;
without a maker the link is the row's own page in the portal.

A maker returns the absolute address, or "" when there is nothing to link to any
more (the email then goes without a button). Links beside the button (deciding
an approval from the email) are registered the same way, with ``register_extra``.
"""

from collections.abc import Callable

from django.conf import settings

LinkMaker = Callable[["Notification"], str]  # noqa: F821 - the row, read by its attributes

_makers: dict[str, LinkMaker] = {}


def register(kind: str, maker: LinkMaker) -> None:
    """Make ``kind``'s links with ``maker`` from now on (an app's ``ready`` calls this)."""
    _makers[kind] = maker


# Links beside the main button (an approval email's "Approve" and "Reject"), made
# the same way: (label, absolute URL) pairs for the row's one recipient.
ExtraLinks = Callable[["Notification"], list[tuple[str, str]]]  # noqa: F821

_extras: dict[str, ExtraLinks] = {}


def register_extra(kind: str, maker: ExtraLinks) -> None:
    """Give ``kind``'s emails these links beside the main button (from an app's ``ready``)."""
    _extras[kind] = maker


def extra_links_for(row) -> list[tuple[str, str]]:
    maker = _extras.get(row.kind)
    return maker(row) if maker is not None else []


def link_for(row) -> str:
    """The address the email's button opens."""
    maker = _makers.get(row.kind)
    if maker is not None:
        return maker(row)
    return settings.SITE_URL + row.path if row.path else ""
