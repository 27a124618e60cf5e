"""The login page's answer to a locked-out account (django-axes calls these)."""

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import ngettext

# What the lockout's records hold of a login; the forms refuse longer addresses, and
# every other door (reset and invitation links, codes) counts a bounded name.
LOGIN_NAME_MAX = AccessAttempt._meta.get_field("username").max_length


def login_name(request, credentials: dict | None) -> str:
    """The login as typed, the way accounts are stored: "Dana@ACME.example" is one account.

    Never longer than the lockout's records hold, whatever was posted: a longer one
    would fail their insert and the page with it.
    """
    field = settings.AXES_USERNAME_FORM_FIELD
    name = (credentials or {}).get(field) or request.POST.get(field) or ""
    return str(name).strip().lower()[:LOGIN_NAME_MAX]


def locked_out(request, original_response=None, credentials=None):
    """The login page again, saying why and when to try again (HTTP 429)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    until = timezone.localtime(timezone.now() + settings.AXES_COOLOFF_TIME)
    form = AuthenticationForm(request, initial={"username": login_name(request, credentials)})
    message = ngettext(
        "Too many failed attempts to log in to this account from your address. "
        "Try again in %(minutes)d minute, at %(time)s, or ask a site admin to unlock it.",
        "Too many failed attempts to log in to this account from your address. "
        "Try again in %(minutes)d minutes, at %(time)s, or ask a site admin to unlock it.",
        minutes,
    ) % {"minutes": minutes, "time": formats.time_format(until)}
    return render(
        request,
        "registration/login.html",
        {"form": form, "locked_out": message, "next": request.POST.get("next", "")},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
