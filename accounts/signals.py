"""Keeping a session's activity: set when a person logs in (see ``middleware``)."""

from django.contrib.auth.signals import user_logged_in

from .middleware import mark_active


def _logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        mark_active(request.session)


def connect() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="accounts.session_activity")
