"""The secrets in account emails: invitation tokens, and the links the outbox makes.

Nothing here is stored. An invitation's token is an HMAC of its id and nonce under
SECRET_KEY (or one of SECRET_KEY_FALLBACKS while a key is being rotated); a reset
link carries Django's own token (``default_token_generator``), a hash of the
person's password and last login, so it works once and for
PASSWORD_RESET_TIMEOUT. Both are made when the worker renders the email (the
kinds ``accounts.notify`` registers), never written to the outbox.
"""

import secrets

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

SALT = "accounts.invitation"
TOKEN_LENGTH = 32  # hex digits: 128 bits of the HMAC


def new_nonce() -> str:
    return secrets.token_hex(16)


def _sign(invitation_id: int, nonce: str, secret: str) -> str:
    value = f"{invitation_id}.{nonce}"
    return salted_hmac(SALT, value, secret=secret, algorithm="sha256").hexdigest()[:TOKEN_LENGTH]


def invitation_token(invitation) -> str:
    return _sign(invitation.pk, invitation.nonce, settings.SECRET_KEY)


def invitation_token_matches(invitation, token: str) -> bool:
    """Whether ``token`` is the invitation's current link, in constant time."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(
        constant_time_compare(_sign(invitation.pk, invitation.nonce, key), token) for key in keys
    )


def invitation_link(row) -> str:
    """The invitation's link as of now (the outbox calls this when it sends the email)."""
    from .models import Invitation

    invitation_id = row.context.get("invitation")
    invitation = (
        Invitation.objects.filter(pk=invitation_id).first()
        if isinstance(invitation_id, int)
        else None
    )
    if invitation is None:
        return ""
    path = reverse("accounts:invitation", args=[invitation.pk, invitation_token(invitation)])
    return settings.SITE_URL + path


def password_reset_link(row) -> str:
    """A reset link for the row's recipient, valid from now (the outbox calls this)."""
    user = row.recipient
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse("accounts:password_reset_confirm", args=[uid, token])
