"""What accounts tell a person about their own account: an invitation, a password reset.

Both are always emailed, and carry a link that is a secret itself: it is made
when the worker sends the email (``accounts.tokens``), never stored in the
outbox. Accounts also say where a person chooses which emails they get (their
account's preferences page), which every other email links to.
"""

import uuid

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from companies.models import User
from notifications.announce import About, Email, announce
from notifications.kinds import email_kind, preferences_page

from .models import Invitation
from .tokens import invitation_link, password_reset_link

INVITATION = email_kind(
    "invitation",
    label=gettext_lazy("Invitation to the portal"),
    lead=gettext_lazy(
        "{actor} invited you to {portal} for {company}. Choose your password to start: "
        "the link works once, until {expires}."
    ),
    button=gettext_lazy("Choose your password"),
    preferences_link=False,
    link=invitation_link,
)
PASSWORD_RESET = email_kind(
    "password_reset",
    label=gettext_lazy("Password reset"),
    lead=gettext_lazy(
        "Somebody asked to reset the password of your {portal} account ({email}). "
        "The link works once, within {hours} hours. If it was not you, ignore this "
        "email: your password stays as it is."
    ),
    button=gettext_lazy("Choose a new password"),
    preferences_link=False,
    link=password_reset_link,
)

preferences_page(lambda: reverse("accounts:preferences"))


def invitation_sent(*, invitation: Invitation) -> None:
    """A person was invited, or given a new link: the person, whoever asked for it.

    The row says which invitation; the link itself is signed when the worker renders
    the email, from the invitation as it is then (``accounts.tokens.invitation_link``).
    """
    person = invitation.user
    inviter = invitation.invited_by
    company = person.company.name if person.company_id else ""
    announce(
        Email(
            kind=INVITATION,
            recipients=[person],
            key=f"invitation:{invitation.pk}:v{invitation.version}",
            subject=_("Your invitation to %(portal)s") % {"portal": settings.PORTAL_NAME},
            about=About(person.company_id),
            facts={
                "invitation": invitation.pk,
                "actor": inviter.full_name if inviter else settings.PORTAL_NAME,
                "company": company or settings.PORTAL_NAME,
                "expires": formats.date_format(
                    timezone.localtime(invitation.expires_at), "DATETIME_FORMAT"
                ),
            },
        )
    )


def password_reset_requested(*, user: User, hours: int) -> None:
    """Somebody asked to reset a person's password: the person (a new email each time)."""
    announce(
        Email(
            kind=PASSWORD_RESET,
            recipients=[user],
            key=f"password_reset:{user.pk}:{uuid.uuid4().hex}",
            subject=_("Reset your password for %(portal)s") % {"portal": settings.PORTAL_NAME},
            about=About(user.company_id),
            facts={"email": user.email, "hours": hours},
        )
    )
