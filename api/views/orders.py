"""The orders' endpoints: list, place, read, change, cancel, decide, fulfil."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status as http
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from approvals.selectors import approval_order_for_user, approval_step_of_order
from approvals.services import approval_step_decide
from orders.models import Channel, OrderStatus
from orders.services import LineRequest, order_cancel, order_edit, order_fulfil, order_place

from .. import examples as ex
from .. import serializers as s
from ..pagination import NewestFirst
from ..schema import refusals
from ..selectors import api_order_for, api_order_inline, api_orders_for
from .common import (
    IDEMPOTENCY_PARAM,
    REPLAYED_HEADER,
    UPDATED_SINCE,
    choice,
    company_id,
    idempotency_key,
    read,
    replayed,
    updated_since,
)


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
        responses={200: s.OrderSerializer(many=True), **refusals(400)},
        examples=[ex.out("Orders", ex.ORDER)],
    )
    def get(self, request):
        orders = api_orders_for(
            user=request.user,
            status=choice(request, "status", OrderStatus.values),
            company_id=company_id(request, "company"),
            updated_since=updated_since(request),
        )
        page = self.paginate_queryset(orders)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        operation_id="orders_place",
        summary="Place an order at today's catalog prices",
        description="Routed for approval as on the order page. Contacts of a company only.",
        parameters=[IDEMPOTENCY_PARAM, REPLAYED_HEADER],
        request=s.OrderPlaceSerializer,
        responses={
            201: s.OrderSerializer,
            200: s.OrderSerializer,
            **refusals(
                400,
                403,
                404,
                why={
                    403: "Only contacts of an active company place orders.",
                    404: "The `delivery_address` is not one of your company's.",
                },
            ),
        },
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
        order = order_place(
            buyer=request.user,
            lines=lines,
            header=s.OrderPlaceSerializer.header_request(data),
            submission_key=key,
            channel=Channel.API,
        )
        return Response(
            s.OrderSerializer(api_order_for(user=request.user, number=order.number)).data,
            status=http.HTTP_201_CREATED,
        )

    def replay(self, number: str) -> Response:
        """A retry with the same Idempotency-Key (``api.errors``): the order it placed."""
        return replayed(s.OrderSerializer(api_order_for(user=self.request.user, number=number)))


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
        responses={200: s.OrderSerializer, **refusals(400, 403, 409)},
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
        responses={200: s.OrderSerializer, **refusals(400, 403, 409)},
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
        responses={200: s.OrderSerializer, **refusals(400, 403, 409)},
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
        responses={200: s.OrderSerializer, **refusals(400, 403, 409)},
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
