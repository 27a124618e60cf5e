"""Two-factor login: a TOTP authenticator app (django-otp) and recovery codes.

Rules:

- A person turns it on with their password and a code from the authenticator they
  just scanned, so the app works before the account depends on it. Their other
  sessions end then (none of them gave a code): the password is stored again under
  a new salt, which changes the hash every session is checked against.
- Ten recovery codes come with it, each working once, shown once; only digests are
  stored. New codes (the password again) replace the old ones.
- Logging in then takes a code from the app, or a recovery code. django-otp slows
  down repeated wrong codes; the login lockout counts them too (``accounts.throttle``).
- Site admins cannot turn it off while TWO_FACTOR_REQUIRED_FOR_STAFF is on; contacts
  choose. A site admin who lost both app and codes asks a superuser, who turns it off
  in Django admin.
"""

import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from companies.models import User
from companies.services import user_password_set
from core.domain import InvalidInput, InvalidState, NotAllowed
from core.locks import lock, lock_one

from ..models import RecoveryCode

RECOVERY_CODES = 10
# 32 symbols without i, l, o, u (nothing to misread): 5 bits each, 16 a code = 80 bits.
ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
CODE_LENGTH = 16
DEVICE_NAME = "Authenticator app"


def two_factor_required(user: User) -> bool:
    """Whether this person may not use the portal without two-factor."""
    return bool(user.is_staff and settings.TWO_FACTOR_REQUIRED_FOR_STAFF)


def new_secret() -> str:
    """A new authenticator secret (hex), kept in the session until the person confirms it."""
    return random_hex(20)


def pending_device(*, user: User, secret: str) -> TOTPDevice:
    """The authenticator being set up, unsaved: its QR code and key for the app."""
    return TOTPDevice(user=user, key=secret, name=DEVICE_NAME, confirmed=False)


def _normal(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def _digest(code: str) -> str:
    return hashlib.sha256(_normal(code).encode()).hexdigest()


def _new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def _replace_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = [_new_code() for _ in range(RECOVERY_CODES)]
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, digest=_digest(c)) for c in codes)
    return codes


def _check_password(user: User, password: str) -> User:
    me = lock_one(User.objects.filter(pk=user.pk))
    if not me.check_password(password):
        message = _("That is not your password.")
        raise InvalidInput(message, {"password": [message]})
    return me


def _wrong_code() -> InvalidInput:
    message = _(
        "That code did not work. Type the 6 digits the app shows now (they change every "
        "30 seconds), and check the time on your phone."
    )
    return InvalidInput(message, {"code": [message]})


@transaction.atomic
def two_factor_enable(*, user: User, secret: str, code: str, password: str) -> list[str]:
    """Turn two-factor on; returns the recovery codes, to show once.

    Rule: this module's docstring.
    """
    me = _check_password(user, password)
    if TOTPDevice.objects.filter(user=me, confirmed=True).exists():
        raise InvalidState(_("Two-factor is on already."))
    try:
        valid = len(bytes.fromhex(secret or "")) == 20
    except ValueError:
        valid = False
    if not valid:
        raise InvalidState(_("The setup expired; scan the new QR code and try again."))
    device = TOTPDevice(user=me, key=secret, name=DEVICE_NAME, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    digits = _normal(code)
    if not digits.isdigit() or not totp.verify(int(digits), tolerance=device.tolerance):
        raise _wrong_code()
    device.last_t = totp.t()  # this code cannot log in again
    device.drift = totp.drift
    device.save()
    codes = _replace_codes(me)
    user_password_set(user_id=me.pk, password=password)
    return codes


@transaction.atomic
def two_factor_disable(*, user: User, password: str) -> None:
    """Turn two-factor off: the password alone logs in again.

    Rule: never for a site admin while TWO_FACTOR_REQUIRED_FOR_STAFF is on.
    """
    if two_factor_required(user):
        raise NotAllowed(_("Site admins must keep two-factor on."))
    me = _check_password(user, password)
    if not TOTPDevice.objects.filter(user=me).exists():
        raise InvalidState(_("Two-factor is off already."))
    TOTPDevice.objects.filter(user=me).delete()
    RecoveryCode.objects.filter(user=me).delete()


@transaction.atomic
def recovery_codes_replace(*, user: User, password: str) -> list[str]:
    """New recovery codes; the old ones stop working. Returns them, to show once."""
    me = _check_password(user, password)
    if not TOTPDevice.objects.filter(user=me, confirmed=True).exists():
        raise InvalidState(_("Two-factor is off: there are no recovery codes to replace."))
    return _replace_codes(me)


def two_factor_turn_off_for(*, user_ids, actor: User) -> int:
    """A superuser turns two-factor off for people who lost their app and their codes."""
    if not actor.is_superuser:
        raise NotAllowed(_("Only a superuser turns two-factor off for somebody else."))
    with transaction.atomic():
        ids = list(user_ids)
        count, _per_model = TOTPDevice.objects.filter(user_id__in=ids).delete()
        RecoveryCode.objects.filter(user_id__in=ids).delete()
    return count


@dataclass(frozen=True)
class TwoFactorCheck:
    device: TOTPDevice | None  # the authenticator that gave the code; None: a recovery code
    codes_left: int | None = None  # after a recovery code: how many remain


@transaction.atomic
def two_factor_check(*, user: User, code: str) -> TwoFactorCheck | None:
    """Whether ``code`` proves the person at login: the app's current code (once), or an
    unused recovery code (which is then spent). None: it does not."""
    typed = _normal(code)
    if typed.isdigit() and len(typed) in (6, 8):
        (devices,) = lock(TOTPDevice.objects.filter(user=user, confirmed=True))
        for device in devices:
            if device.verify_token(typed):
                return TwoFactorCheck(device=device)
        return None
    if len(typed) != CODE_LENGTH:
        return None
    spent, _per_model = RecoveryCode.objects.filter(user=user, digest=_digest(typed)).delete()
    if not spent:
        return None
    return TwoFactorCheck(device=None, codes_left=RecoveryCode.objects.filter(user=user).count())
