"""One shape for every refusal of the API: ``{"error", "detail", "fields"}``.

A service's ``DomainError`` maps to a status the caller can act on: the person
may not do this (403), the object changed since the version they sent (409), its
state no longer allows it (409), the input breaks a rule (400, with the fields).
Every one is answered here, so an endpoint lets it rise. A creating call sent
again with its Idempotency-Key (``AlreadySubmitted``) is not refused: the view's
``replay(result)`` answers with what the first call made.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from core.domain import DomainError, InvalidInput, InvalidState, NotAllowed, StaleVersion
from core.http import error_body
from core.submissions import AlreadySubmitted

DOMAIN_STATUS = [
    (NotAllowed, status.HTTP_403_FORBIDDEN, "not_allowed"),
    (StaleVersion, status.HTTP_409_CONFLICT, "stale_version"),
    (InvalidState, status.HTTP_409_CONFLICT, "invalid_state"),
    (InvalidInput, status.HTTP_400_BAD_REQUEST, "invalid_input"),
]


def refusal(exc: DomainError) -> Response:
    code, name = next(
        ((code, name) for kind, code, name in DOMAIN_STATUS if isinstance(exc, kind)),
        (status.HTTP_400_BAD_REQUEST, "refused"),
    )
    fields = {}
    if isinstance(exc, InvalidInput):
        fields = {
            key or "non_field_errors": [str(m) for m in msgs] for key, msgs in exc.errors.items()
        }
    return Response(error_body(error=name, detail=str(exc), fields=fields), status=code)


def _flatten(detail) -> dict:
    if isinstance(detail, dict):
        return {key: _messages(value) for key, value in detail.items()}
    return {"non_field_errors": _messages(detail)}


def _messages(value) -> list:
    if isinstance(value, list):
        out = []
        for item in value:
            out.extend(
                _messages(item)
                if isinstance(item, list)
                else [item if isinstance(item, dict) else str(item)]
            )
        return out
    if isinstance(value, dict):
        return [{key: _messages(v) for key, v in value.items()}]
    return [str(value)]


def exception_handler(exc, context):
    replay = getattr(context.get("view"), "replay", None)
    if isinstance(exc, AlreadySubmitted) and replay is not None:
        return replay(exc.result)
    if isinstance(exc, DomainError):
        return refusal(exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body(
            error="invalid_input",
            detail=_("The request could not be read; see the fields."),
            fields=_flatten(exc.detail),
        )
    else:
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        response.data = error_body(
            error=code if isinstance(code, str) else "error", detail=str(detail)
        )
    return response


@csrf_exempt
def unknown_url(request, rest: str = "") -> JsonResponse:
    """A URL under the API that names nothing: a 404 in the API's shape, whoever asks."""
    return JsonResponse({"error": "not_found", "detail": _("Not found."), "fields": {}}, status=404)
