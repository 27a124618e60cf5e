"""The quotes' endpoints: list, request, read, write on the thread, accept, offer."""

from datetime import datetime, time

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status as http
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from quotations.models import QuoteStatus
from quotations.services import (
    OfferedLine,
    QuoteLineRequest,
    quote_accept,
    quote_offer,
    quote_post_message,
    quote_request,
)

from .. import examples as ex
from .. import serializers as s
from ..pagination import NewestFirst
from ..schema import refusals
from ..selectors import api_quote_for, api_quotes_for
from .common import (
    IDEMPOTENCY_PARAM,
    REPLAYED_HEADER,
    UPDATED_SINCE,
    choice,
    idempotency_key,
    read,
    replayed,
    updated_since,
)


class QuoteList(GenericAPIView):
    serializer_class = s.QuoteSerializer
    pagination_class = NewestFirst

    @extend_schema(
        operation_id="quotes_list",
        summary="The quotes you may see",
        description="Contacts see their company's quotes; the quote desk sees all. Newest first.",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=QuoteStatus.values),
            UPDATED_SINCE,
        ],
        responses={200: s.QuoteSerializer(many=True), **refusals(400)},
        examples=[ex.out("Quotes", ex.QUOTE)],
    )
    def get(self, request):
        quotes = api_quotes_for(
            user=request.user,
            status=choice(request, "status", QuoteStatus.values),
            updated_since=updated_since(request),
        )
        page = self.paginate_queryset(quotes)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        operation_id="quotes_request",
        summary="Ask the seller for a price",
        parameters=[IDEMPOTENCY_PARAM, REPLAYED_HEADER],
        request=s.QuoteRequestSerializer,
        responses={
            201: s.QuoteSerializer,
            200: s.QuoteSerializer,
            **refusals(400, 403, why={403: "Only contacts of an active company ask for quotes."}),
        },
        examples=[
            ex.into(
                "One line with a target price",
                {
                    "lines": [{"sku": "BOLT-M8", "quantity": 5000, "target_unit_price": "0.35"}],
                    "message": "Can you do 0.35?",
                },
            ),
            ex.out("Requested", {**ex.QUOTE, "status": "requested", "version": 1}, "201"),
        ],
    )
    def post(self, request):
        key = idempotency_key(request, "quote")
        data = read(s.QuoteRequestSerializer, request)
        lines = [
            QuoteLineRequest(
                sku=row["sku"], quantity=row["quantity"], target_unit_price=row["target_unit_price"]
            )
            for row in data["lines"]
        ]
        quote = quote_request(
            buyer=request.user, lines=lines, message=data["message"], submission_key=key
        )
        return Response(
            s.QuoteSerializer(api_quote_for(user=request.user, number=quote.number)).data,
            status=http.HTTP_201_CREATED,
        )

    def replay(self, number: str) -> Response:
        """A retry with the same Idempotency-Key (``api.errors``): the quote it asked for."""
        return replayed(s.QuoteSerializer(api_quote_for(user=self.request.user, number=number)))


class QuoteDetail(GenericAPIView):
    serializer_class = s.QuoteSerializer

    @extend_schema(
        operation_id="quotes_read",
        summary="One quote with its lines, revisions and messages",
        examples=[ex.out("Quote", ex.QUOTE)],
    )
    def get(self, request, number: str):
        return Response(self.get_serializer(api_quote_for(user=request.user, number=number)).data)


class QuoteMessages(GenericAPIView):
    serializer_class = s.QuoteMessageSerializer

    @extend_schema(
        operation_id="quotes_post_message",
        summary="Write on a quote's thread",
        description="The asking company's contacts and the quote desk, while the deal is open.",
        request=s.MessageSerializer,
        responses={
            201: s.QuoteMessageSerializer,
            **refusals(400, 403, 409, why={409: "The quote's thread is closed."}),
        },
        examples=[
            ex.into("Message", {"body": "Can you deliver half of it next week?"}),
            ex.out("Posted", ex.QUOTE["messages"][0], "201"),
        ],
    )
    def post(self, request, number: str):
        quote = api_quote_for(user=request.user, number=number)
        data = read(s.MessageSerializer, request)
        message = quote_post_message(quote_id=quote.pk, actor=request.user, body=data["body"])
        return Response(s.QuoteMessageSerializer(message).data, status=http.HTTP_201_CREATED)


class QuoteAccept(GenericAPIView):
    serializer_class = s.QuoteSerializer

    @extend_schema(
        operation_id="quotes_accept",
        summary="Accept the seller's offer",
        description="The person who asked, before the offer expires; `version` as read.",
        request=s.VersionSerializer,
        responses={200: s.QuoteSerializer, **refusals(400, 403, 409)},
        examples=[
            ex.into("Accept", {"version": 2}),
            ex.out("Accepted", {**ex.QUOTE, "status": "accepted", "version": 3}),
            ex.REFUSED,
        ],
    )
    def post(self, request, number: str):
        quote = api_quote_for(user=request.user, number=number)
        data = read(s.VersionSerializer, request)
        quote_accept(quote_id=quote.pk, actor=request.user, seen_version=data["version"])
        return Response(s.QuoteSerializer(api_quote_for(user=request.user, number=number)).data)


class QuoteOffer(GenericAPIView):
    serializer_class = s.QuoteSerializer

    @extend_schema(
        operation_id="quotes_offer",
        summary="Offer prices on a quote (the quote desk)",
        description="One unit price for every line (and a quantity, to change it).",
        request=s.OfferSerializer,
        responses={200: s.QuoteSerializer, **refusals(400, 403, 409)},
        examples=[
            ex.into(
                "Offer",
                {
                    "version": 1,
                    "expires_on": "2026-03-16",
                    "lines": [{"line_id": 55, "unit_price": "0.37"}],
                    "message": "Our best price for 5,000.",
                },
            ),
            ex.out("Offered", ex.QUOTE),
        ],
    )
    def post(self, request, number: str):
        quote = api_quote_for(user=request.user, number=number)
        data = read(s.OfferSerializer, request)
        expires_at = timezone.make_aware(datetime.combine(data["expires_on"], time.max))
        quote_offer(
            quote_id=quote.pk,
            actor=request.user,
            lines=[
                OfferedLine(
                    line_id=row["line_id"], unit_price=row["unit_price"], quantity=row["quantity"]
                )
                for row in data["lines"]
            ],
            expires_at=expires_at,
            seen_version=data["version"],
            message=data["message"],
        )
        return Response(s.QuoteSerializer(api_quote_for(user=request.user, number=number)).data)
