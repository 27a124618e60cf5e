"""What the API's endpoints share in reading a request: the JSON body, the retry
key of a creating call, and the filters of a list."""

import uuid
from datetime import UTC, datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status as http
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

# The retry key of a creating call: the same key from the same person lands on what
# the first call made (``core.submissions``: a unique key, claimed in the transaction).
IDEMPOTENCY_HEADER = "Idempotency-Key"
_IDEMPOTENCY_NS = uuid.UUID("7d0c2f4e-8f7e-4c1a-9a57-3a6f1b2c9d10")
IDEMPOTENCY_PARAM = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=(
        "Any text of 1 to 200 printable characters, new for each thing you mean to make. "
        "A retry with the same key returns what the first call made (status 200, header "
        "Idempotent-Replayed: true) instead of making it again. Keys are kept 30 days."
    ),
)

REPLAYED_HEADER = OpenApiParameter(
    "Idempotent-Replayed",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    enum=["true"],
    required=True,
    response=[200],
    description="Sent with the answer to a retry: this is what the first call made.",
)


def idempotency_key(request, scope: str) -> uuid.UUID | None:
    raw = request.headers.get(IDEMPOTENCY_HEADER)
    if raw is None:
        return None
    if not 1 <= len(raw) <= 200 or not raw.isprintable() or not raw.isascii():
        raise ValidationError({IDEMPOTENCY_HEADER: [_("Use 1 to 200 printable characters.")]})
    return uuid.uuid5(_IDEMPOTENCY_NS, f"{request.user.pk}:{scope}:{raw}")


def replayed(serializer) -> Response:
    return Response(
        serializer.data, status=http.HTTP_200_OK, headers={"Idempotent-Replayed": "true"}
    )


def read(serializer_class, request) -> dict:
    if not isinstance(request.data, dict):
        raise ValidationError({"non_field_errors": [_("Send a JSON object.")]})
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def updated_since(request) -> datetime | None:
    raw = request.query_params.get("updated_since")
    if not raw:
        return None
    try:
        value = parse_datetime(raw)
    except ValueError:
        value = None
    if value is not None:
        value = value if timezone.is_aware(value) else timezone.make_aware(value)
        try:
            # In UTC: Postgres refuses an offset past 15:59 that Python reads (+23:50).
            return value.astimezone(UTC)
        except OverflowError:  # the offset moves it out of years 1 to 9999
            pass
    raise ValidationError(
        {"updated_since": [_("Give a date and time such as 2026-03-01T00:00:00Z.")]}
    )


def choice(request, name: str, choices) -> str | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    if raw not in choices:
        raise ValidationError({name: [_("One of: %(values)s.") % {"values": ", ".join(choices)}]})
    return raw


def company_id(request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise ValidationError({name: [_("A company id (a whole number).")]})
    return int(raw)


UPDATED_SINCE = OpenApiParameter(
    "updated_since",
    OpenApiTypes.DATETIME,
    description="Only what changed at or after this moment (ISO 8601).",
)
