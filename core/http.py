"""How a page answers a use case that refused: one rule for every app."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from .domain import DomainError, NotAllowed


def answer_refusal(request: HttpRequest, exc: DomainError, *, back: str) -> HttpResponse:
    """The rule for every refused action a person posts.

    - ``NotAllowed``: the person may not do this at all. A 403 page says why
      (nothing to retry, nothing changed).
    - Anything else (the object changed meanwhile, its state no longer allows
      it, input that no field of the form carries): back to ``back``, the page
      the person acted from, with the reason on top, to look again.

    Input tied to a field is shown on the form instead (``core.forms``).
    """
    if isinstance(exc, NotAllowed):
        raise PermissionDenied(str(exc)) from exc
    messages.error(request, str(exc))
    return redirect(back)


def error_body(*, error: str, detail: str, fields: dict | None = None) -> dict:
    """The one JSON shape of an answer that refuses an API call: what went wrong as a
    code (``stale_version``, ``not_found``), a sentence, and the fields it is about
    (``api.errors``; ``core.outage`` while the database cannot be reached)."""
    return {"error": error, "detail": detail, "fields": fields or {}}
