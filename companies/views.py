"""The login page's answer to a locked-out account (django-axes calls these)."""

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import ngettext


def login_name(request, credentials: dict | None) -> str:
    """The login as typed, the way accounts are stored: "Dana@ACME.example" is one account."""
    field = settings.AXES_USERNAME_FORM_FIELD
    name = (credentials or {}).get(field) or request.POST.get(field) or ""
    return name.strip().lower()


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
