"""How a page answers a use case that refused: one rule for every app."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from .domain import DomainError, NotAllowed


def answer_refusal(
    request: HttpRequest, exc: DomainError, *, back: str, message: str | None = None
) -> HttpResponse:
    """The rule for every refused action a person posts (``core.refusals`` applies it).

    - ``NotAllowed``: the person may not do this at all. A 403 page says why
      (nothing to retry, nothing changed).
    - Anything else (the object changed meanwhile, its state no longer allows
      it, input that no field of the form carries): back to ``back``, the page
      the person acted from, with the reason on top, to look again.

    ``message`` words the refusal for this page (by default, its own words).
    Input tied to a field is shown on the form instead (``core.refusals.show_refusal``).
    """
    message = str(exc) if message is None else message
    if isinstance(exc, NotAllowed):
        raise PermissionDenied(message) from exc
    messages.error(request, message)
    return redirect(back)


def error_body(*, error: str, detail: str, fields: dict | None = None) -> dict:
    """The one JSON shape of an answer that refuses an API call: what went wrong as a
    code (``stale_version``, ``not_found``), a sentence, and the fields it is about
    (``api.errors``; ``core.outage`` while the database cannot be reached)."""
    return {"error": error, "detail": detail, "fields": fields or {}}
