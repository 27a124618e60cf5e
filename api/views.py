"""The REST API's endpoints: access -> selector -> input shape -> one service -> answer.

Every write goes through the service the page uses; a refusal is an error in one
shape (``api.errors``) and changes nothing. Another company's object is a 404.
"""

import uuid
from datetime import datetime, time

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status as http
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from approvals.selectors import approval_order_for_user, approval_step_of_order
from approvals.services import approval_step_decide
from core.submissions import AlreadySubmitted
from orders.models import Channel, OrderStatus
from orders.services import LineRequest, order_cancel, order_edit, order_fulfil, order_place
from quotations.models import QuoteStatus
from quotations.services import (
    OfferedLine,
    QuoteLineRequest,
    quote_accept,
    quote_offer,
    quote_post_message,
    quote_request,
)

from . import examples as ex
from . import serializers as s
from .selectors import (
    api_company_of,
    api_contacts_of,
    api_order_for,
    api_order_inline,
    api_orders_for,
    api_products,
    api_quote_for,
    api_quotes_for,
)

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


def idempotency_key(request, scope: str) -> uuid.UUID | None:
    raw = request.headers.get(IDEMPOTENCY_HEADER)
    if raw is None:
        return None
    if not 1 <= len(raw) <= 200 or not raw.isprintable() or not raw.isascii():
        raise ValidationError({IDEMPOTENCY_HEADER: [_("Use 1 to 200 printable characters.")]})
    return uuid.uuid5(_IDEMPOTENCY_NS, f"{request.user.pk}:{scope}:{raw}")


def read(serializer_class, request) -> dict:
    if not isinstance(request.data, dict):
        raise ValidationError({"non_field_errors": [_("Send a JSON object.")]})
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class NewestFirst(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size = settings.PAGE_SIZE  # as the pages: 25
    page_size_query_param = "page_size"
    max_page_size = 200


class BySku(NewestFirst):
    ordering = ("sku",)


class ByName(NewestFirst):
    ordering = ("full_name", "id")


def _updated_since(request) -> datetime | None:
    raw = request.query_params.get("updated_since")
    if not raw:
        return None
    try:
        value = parse_datetime(raw)
    except ValueError:
        value = None
    if value is None:
        raise ValidationError(
            {"updated_since": [_("Give a date and time such as 2026-03-01T00:00:00Z.")]}
        )
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _choice(request, name: str, choices) -> str | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    if raw not in choices:
        raise ValidationError({name: [_("One of: %(values)s.") % {"values": ", ".join(choices)}]})
    return raw


def _int(request, name: str) -> int | None:
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

# --- orders -------------------------------------------------------------------


class OrderList(GenericAPIView):
    serializer_class = s.OrderSerializer
    pagination_class = NewestFirst

    @extend_schema(
        operation_id="orders_list",
        summary="The orders you may see",
        description=(
            "Contacts see their company's orders; site admins who oversee orders see all. "
            "Newest first, with lines, approval steps and history inline."
        ),
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=OrderStatus.values),
            OpenApiParameter("company", OpenApiTypes.INT, description="A company id (staff)."),
            UPDATED_SINCE,
        ],
        examples=[ex.out("Orders", ex.page(ex.ORDER))],
    )
    def get(self, request):
        orders = api_orders_for(
            user=request.user,
            status=_choice(request, "status", OrderStatus.values),
            company_id=_int(request, "company"),
            updated_since=_updated_since(request),
        )
        page = self.paginate_queryset(orders)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        operation_id="orders_place",
        summary="Place an order at today's catalog prices",
        description="Routed for approval as on the order page. Contacts of a company only.",
        parameters=[IDEMPOTENCY_PARAM],
        request=s.OrderPlaceSerializer,
        responses={201: s.OrderSerializer, 200: s.OrderSerializer},
        examples=[
            ex.into("Two lines", {"lines": [{"sku": "BOLT-M8", "quantity": 500}]}),
            ex.out("Placed", ex.ORDER, "201"),
            ex.out("Sent before with this Idempotency-Key", ex.ORDER, "200"),
        ],
    )
    def post(self, request):
        key = idempotency_key(request, "order")
        data = read(s.OrderPlaceSerializer, request)
        lines = [LineRequest(sku=row["sku"], quantity=row["quantity"]) for row in data["lines"]]
        try:
            order = order_place(
                buyer=request.user,
                lines=lines,
                header=s.OrderPlaceSerializer.header_request(data),
                submission_key=key,
                channel=Channel.API,
            )
        except AlreadySubmitted as exc:
            return _replayed(s.OrderSerializer(api_order_for(user=request.user, number=exc.result)))
        return Response(
            s.OrderSerializer(api_order_for(user=request.user, number=order.number)).data,
            status=http.HTTP_201_CREATED,
        )


def _replayed(serializer) -> Response:
    return Response(
        serializer.data, status=http.HTTP_200_OK, headers={"Idempotent-Replayed": "true"}
    )


class OrderDetail(GenericAPIView):
    serializer_class = s.OrderSerializer

    @extend_schema(
        operation_id="orders_read",
        summary="One order",
        examples=[ex.out("Order", ex.ORDER)],
    )
    def get(self, request, number: str):
        return Response(self.get_serializer(api_order_for(user=request.user, number=number)).data)

    @extend_schema(
        operation_id="orders_edit",
        summary="Change an order's lines (routed for approval again)",
        description=(
            "Only the person who placed it, while it waits, was sent back for changes or is "
            "approved; `version` is the one you read."
        ),
        request=s.OrderEditSerializer,
        responses={200: s.OrderSerializer},
        examples=[
            ex.into("New lines", {"version": 1, "lines": [{"sku": "BOLT-M8", "quantity": 800}]}),
            ex.out("Changed", {**ex.ORDER, "version": 2}),
            ex.REFUSED,
        ],
    )
    def put(self, request, number: str):
        order = api_order_for(user=request.user, number=number)
        data = read(s.OrderEditSerializer, request)
        order_edit(
            order_id=order.pk,
            actor=request.user,
            lines=[LineRequest(sku=row["sku"], quantity=row["quantity"]) for row in data["lines"]],
            seen_version=data["version"],
            channel=Channel.API,
        )
        return Response(s.OrderSerializer(api_order_for(user=request.user, number=number)).data)


def _order_action(request, number: str, action) -> Response:
    order = api_order_for(user=request.user, number=number)
    action(order)
    return Response(s.OrderSerializer(api_order_for(user=request.user, number=number)).data)


class OrderCancel(GenericAPIView):
    serializer_class = s.OrderSerializer

    @extend_schema(
        operation_id="orders_cancel",
        summary="Cancel an order",
        description="Only the person who placed it, while it is not decided for good.",
        request=s.OrderCancelSerializer,
        responses={200: s.OrderSerializer},
        examples=[
            ex.into("Cancel", {"version": 1, "comment": "Ordered twice."}),
            ex.out("Cancelled", {**ex.ORDER, "status": "cancelled", "version": 2}),
            ex.REFUSED,
        ],
    )
    def post(self, request, number: str):
        data = read(s.OrderCancelSerializer, request)
        return _order_action(
            request,
            number,
            lambda order: order_cancel(
                order_id=order.pk,
                actor=request.user,
                seen_version=data["version"],
                comment=data["comment"],
                channel=Channel.API,
            ),
        )


class OrderFulfil(GenericAPIView):
    serializer_class = s.OrderSerializer

    @extend_schema(
        operation_id="orders_fulfil",
        summary="Mark an approved order fulfilled (site admins)",
        request=s.FulfilSerializer,
        responses={200: s.OrderSerializer},
        examples=[
            ex.into("Fulfil", {"version": 3}),
            ex.out("Fulfilled", {**ex.ORDER, "status": "fulfilled", "version": 4}),
        ],
    )
    def post(self, request, number: str):
        data = read(s.FulfilSerializer, request)
        return _order_action(
            request,
            number,
            lambda order: order_fulfil(
                order_id=order.pk,
                actor=request.user,
                seen_version=data["version"],
                channel=Channel.API,
            ),
        )


class OrderDecide(GenericAPIView):
    serializer_class = s.OrderSerializer

    @extend_schema(
        operation_id="orders_decide",
        summary="Approve, reject or send back for changes the open approval step",
        description=(
            "An approver of the open step (or their delegate; a site admin for a step routed "
            "to site admins), never on their own order. Rejecting and asking for changes "
            "need a comment."
        ),
        request=s.DecisionSerializer,
        responses={200: s.OrderSerializer},
        examples=[
            ex.into("Approve", {"step": 31, "version": 1, "decision": "approve", "comment": ""}),
            ex.into(
                "Ask for changes",
                {"step": 31, "version": 1, "decision": "request_changes", "comment": "Half."},
            ),
            ex.out("Approved", {**ex.ORDER, "status": "approved", "version": 2}),
            ex.REFUSED,
        ],
    )
    def post(self, request, number: str):
        order = approval_order_for_user(user=request.user, number=number)
        data = read(s.DecisionSerializer, request)
        step = approval_step_of_order(order=order, step_id=data["step"])
        approval_step_decide(
            step_id=step.pk,
            actor=request.user,
            decision=data["decision"],
            comment=data["comment"],
            seen_version=data["version"],
            channel=Channel.API,
        )
        # read again as it now stands (the decider may see it only as its approver)
        return Response(s.OrderSerializer(api_order_inline(order_id=order.pk)).data)


# --- quotes -------------------------------------------------------------------


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
        examples=[ex.out("Quotes", ex.page(ex.QUOTE))],
    )
    def get(self, request):
        quotes = api_quotes_for(
            user=request.user,
            status=_choice(request, "status", QuoteStatus.values),
            updated_since=_updated_since(request),
        )
        page = self.paginate_queryset(quotes)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        operation_id="quotes_request",
        summary="Ask the seller for a price",
        parameters=[IDEMPOTENCY_PARAM],
        request=s.QuoteRequestSerializer,
        responses={201: s.QuoteSerializer, 200: s.QuoteSerializer},
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
        try:
            quote = quote_request(
                buyer=request.user, lines=lines, message=data["message"], submission_key=key
            )
        except AlreadySubmitted as exc:
            return _replayed(s.QuoteSerializer(api_quote_for(user=request.user, number=exc.result)))
        return Response(
            s.QuoteSerializer(api_quote_for(user=request.user, number=quote.number)).data,
            status=http.HTTP_201_CREATED,
        )


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
        responses={201: s.QuoteMessageSerializer},
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
        responses={200: s.QuoteSerializer},
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
        responses={200: s.QuoteSerializer},
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


# --- catalog and company ------------------------------------------------------


class ProductList(GenericAPIView):
    serializer_class = s.ProductSerializer
    pagination_class = BySku

    @extend_schema(
        operation_id="products_list",
        summary="Products on sale, by SKU",
        parameters=[OpenApiParameter("sku", OpenApiTypes.STR, description="One SKU.")],
        examples=[ex.out("Products", ex.page(ex.PRODUCT))],
    )
    def get(self, request):
        sku = request.query_params.get("sku") or None
        page = self.paginate_queryset(api_products(sku=sku))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class MyCompany(GenericAPIView):
    serializer_class = s.CompanySerializer

    @extend_schema(
        operation_id="company_read",
        summary="Your company",
        description="Contacts only: staff belong to no company (404).",
        examples=[ex.out("Company", ex.COMPANY)],
    )
    def get(self, request):
        company = api_company_of(user=request.user)
        if company is None:
            raise NotFound(_("You belong to no company."))
        return Response(self.get_serializer(company).data)


class MyContacts(GenericAPIView):
    serializer_class = s.ContactSerializer
    pagination_class = ByName

    @extend_schema(
        operation_id="company_contacts",
        summary="Your company's active contacts",
        examples=[ex.out("Contacts", ex.page(ex.CONTACT))],
    )
    def get(self, request):
        if api_company_of(user=request.user) is None:
            raise NotFound(_("You belong to no company."))
        page = self.paginate_queryset(api_contacts_of(user=request.user))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
