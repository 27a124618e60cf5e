"""The login lockout (django-axes) on every other door to an account.

Asking for a password reset, opening an invitation or reset link that does not
work, and a wrong two-factor code each count as a failed attempt for that account
from that address, exactly like a wrong password on the login page; once
AXES_FAILURE_LIMIT is reached the account is locked at that address for
AXES_COOLOFF_MINUTES on all of these pages and the login page alike. The count
is kept for any address typed, known or not, so the answer never tells whether
an account exists. Setting a password from a working link clears it.
"""

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import ngettext


def _normal(login: str) -> str:
    return (login or "").strip().lower()


def _credentials(login: str) -> dict:
    return {settings.AXES_USERNAME_FORM_FIELD: _normal(login)}


def locked(request, login: str) -> bool:
    """Whether this account is locked out at the request's address."""
    if not settings.AXES_ENABLED:
        return False
    return not AxesProxyHandler.is_allowed(request, _credentials(login))


def failed(request, login: str) -> None:
    """Count one failed attempt for this account from the request's address."""
    if not settings.AXES_ENABLED:
        return
    AxesProxyHandler.user_login_failed(
        sender=__name__, credentials=_credentials(login), request=request
    )
    # The page answers for itself; django-axes' middleware would show the login page.
    request.axes_locked_out = False


def clear(login: str) -> None:
    """Forget the failures of an account whose person just proved who they are."""
    if settings.AXES_ENABLED:
        AxesProxyHandler.reset_attempts(username=_normal(login))


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    until = timezone.localtime(timezone.now() + settings.AXES_COOLOFF_TIME)
    return ngettext(
        "Too many attempts for this account from your address. Try again in %(minutes)d "
        "minute, at %(time)s, or ask a site admin to unlock it.",
        "Too many attempts for this account from your address. Try again in %(minutes)d "
        "minutes, at %(time)s, or ask a site admin to unlock it.",
        minutes,
    ) % {"minutes": minutes, "time": formats.time_format(until)}
