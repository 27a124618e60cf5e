"""How the OpenAPI schema describes what the API really answers.

Each endpoint declares its answers and the refusals its own rules give
(``refusals``); what follows from the machinery every endpoint shares is added
here, so no endpoint can forget it:

- every call: 401 without a working key (with ``WWW-Authenticate``), 406 when the
  ``Accept`` header refuses JSON, 429 when throttled (with ``Retry-After``), 503
  while the database cannot be reached (with ``Retry-After``, ``core.outage``);
- a call with a body: 400 when it cannot be read, 403 (the portal's session
  without its CSRF token), 415 when it is not JSON;
- a path with an order's or a quote's number: 404, the same for missing and for
  another company's, and the number's pattern (``core.converters``);
- a paged list: 404 for a cursor the list never gave out.

Every refusal has one body, the ``Error`` component (``api.errors``).
"""

import copy

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiResponse

from core.converters import DOCUMENT_NUMBER

ERROR_CODES = [
    # a service's refusal (api.errors.DOMAIN_STATUS)
    "invalid_input",
    "not_allowed",
    "stale_version",
    "invalid_state",
    "refused",
    # the request itself (Django REST framework's own codes)
    "parse_error",
    "not_authenticated",
    "authentication_failed",
    "permission_denied",
    "not_found",
    "method_not_allowed",
    "not_acceptable",
    "unsupported_media_type",
    "throttled",
    "error",
    # the database cannot be reached (core.outage)
    "service_unavailable",
]
ERROR_SCHEMA = {
    "type": "object",
    "description": "Every refusal of the API, whatever its status.",
    "properties": {
        "error": {
            "type": "string",
            "enum": ERROR_CODES,
            "description": "What kind of refusal, for a program to act on.",
        },
        "detail": {"type": "string", "description": "What went wrong, for a person to read."},
        "fields": {
            "type": "object",
            "description": (
                "The input that was refused, by field (`non_field_errors` for the whole "
                "body, the SKU for an order line): the messages, or for a list of rows one "
                "object per row with its own fields. Empty when no field is to blame."
            ),
            "additionalProperties": {
                "type": "array",
                "items": {"anyOf": [{"type": "string"}, {"type": "object"}]},
            },
        },
    },
    "required": ["error", "detail", "fields"],
}

WHY = {
    400: "The body (or a filter) could not be read, or breaks a rule: `fields` says where.",
    401: (
        "No working key: none was sent, or a wrong, expired or revoked one, or its "
        "person is deactivated."
    ),
    403: "You may not do this; or, calling with the portal's session, the CSRF token is missing.",
    404: "No such object, or another company's: the same answer.",
    406: "The `Accept` header asks for something other than JSON.",
    409: (
        "The object changed since the version you sent (`stale_version`), or its state "
        "no longer allows this (`invalid_state`)."
    ),
    415: "The body is not sent as `application/json`.",
    429: "Too many calls: wait the seconds `Retry-After` says.",
    503: (
        "The database cannot be reached for a moment (a restart, a failover): send the "
        "call again after the seconds `Retry-After` says, with the same "
        "`Idempotency-Key` when it creates something."
    ),
}
CURSOR_NOT_FOUND = "The `cursor` is not one this list gave out."
RESPONSE_HEADERS = {
    "401": {
        "WWW-Authenticate": {
            "schema": {"type": "string"},
            "required": True,
            "description": 'The scheme to authenticate with: `Bearer realm="api"`.',
        }
    },
    "429": {
        "Retry-After": {
            "schema": {"type": "integer", "minimum": 0},
            "description": "Seconds until this key (or person) may call again.",
        }
    },
    "503": {
        "Retry-After": {
            "schema": {"type": "integer", "minimum": 0},
            "required": True,
            "description": "Seconds after which the call is worth sending again.",
        }
    },
}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def refusals(*codes: int, why: dict[int, str] | None = None) -> dict[int, OpenApiResponse]:
    """The refusals an endpoint's own rules give, in the ``Error`` shape; ``why`` words
    a status for this endpoint."""
    why = why or {}
    return {code: _error(why.get(code, WHY[code])) for code in codes}


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(response={"$ref": "#/components/schemas/Error"}, description=description)


class PortalAutoSchema(AutoSchema):
    """drf-spectacular's schema, with the answers every endpoint shares (module docstring)."""

    def _get_response_bodies(self, direction="response"):
        # a copy: the enum hook rewrites the component it is given, once per schema
        error = copy.deepcopy(ERROR_SCHEMA)
        self.registry.register_on_missing(
            ResolvedComponent(
                name="Error", type=ResolvedComponent.SCHEMA, schema=error, object="Error"
            )
        )
        responses = super()._get_response_bodies(direction)
        for code, description in self._shared_refusals().items():
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    _error(description), str(code), direction=direction
                )
        return dict(sorted(responses.items()))

    def _shared_refusals(self) -> dict[int, str]:
        shared = {401: WHY[401], 406: WHY[406], 429: WHY[429], 503: WHY[503]}
        if self.method in WRITES:
            shared.update({400: WHY[400], 403: WHY[403], 415: WHY[415]})
        if "{number}" in self.path:
            shared[404] = WHY[404]
        elif self._is_list_view() and self._get_paginator():
            shared[404] = CURSOR_NOT_FOUND
        return shared

    def _get_response_headers_for_code(self, status_code, direction="response"):
        headers = super()._get_response_headers_for_code(status_code, direction)
        return {**RESPONSE_HEADERS.get(str(status_code), {}), **headers}

    def _resolve_path_parameters(self, variables):
        parameters = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            if parameter["name"] == "number":
                parameter["schema"] = {"type": "string", "pattern": f"^{DOCUMENT_NUMBER}$"}
                parameter["description"] = "An order's number (PO-000042) or a quote's (Q-000007)."
        return parameters


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token from My account > API tokens.",
        }


class PortalSessionScheme(OpenApiAuthenticationExtension):
    target_class = "rest_framework.authentication.SessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,
            "description": (
                "The portal's own pages, logged in: the session cookie, and on a write "
                "the `X-CSRFToken` header."
            ),
        }
