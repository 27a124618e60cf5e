"""Sessions that end when nobody uses them, and site admins held to two-factor.

``SessionActivityMiddleware``: a session lives SESSION_COOKIE_AGE (that is
SESSION_IDLE_MINUTES) from its last save, in the database and in the cookie. A
logged-in request saves it again at most once a minute (``REFRESH_SECONDS``), so
the session ends SESSION_IDLE_MINUTES after the last request, to within a minute,
and a page costs no extra write.

``TwoFactorRequiredMiddleware``: with TWO_FACTOR_REQUIRED_FOR_STAFF on (production's
default), a site admin whose session did not give a code can open only the page
that sets two-factor up (and log out). The login gives the code before Django's
login happens (``accounts.views.login.LoginView``), so every session of a person who has
two-factor on gave one; a site admin without it meets the setup page first.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.utils.translation import gettext as _

ACTIVE_KEY = "accounts_active_at"
# This session's login gave a second factor, or set two-factor up.
VERIFIED_KEY = "accounts_two_factor"
REFRESH_SECONDS = 60

# What a site admin without two-factor may open: setting it up, and leaving.
SETUP_VIEWS = frozenset({"accounts:two_factor", "accounts:two_factor_qr", "logout"})


def mark_active(session) -> None:
    session[ACTIVE_KEY] = int(time.time())


def mark_verified(session) -> None:
    session[VERIFIED_KEY] = True


class SessionActivityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code >= 500:
            return response  # nothing done; and the session may be unreadable (no database)
        session = getattr(request, "session", None)
        logged_in = session is not None and session.get(SESSION_KEY)
        if logged_in and int(time.time()) - session.get(ACTIVE_KEY, 0) >= REFRESH_SECONDS:
            mark_active(session)  # saved (with a new expiry) by the session middleware
        return response


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.TWO_FACTOR_REQUIRED_FOR_STAFF:
            return None
        user = request.user
        if not (user.is_authenticated and user.is_staff) or request.session.get(VERIFIED_KEY):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in SETUP_VIEWS:
            return None
        from .selectors import two_factor_enabled

        if two_factor_enabled(user=user):
            # A session that never gave the code (opened before two-factor was on).
            logout(request)
            return redirect_to_login(request.get_full_path())
        messages.info(
            request, _("Site admins protect their account with two-factor: set it up to go on.")
        )
        return redirect("accounts:two_factor")
