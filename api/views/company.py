"""The catalog and the caller's company: products, the company, its contacts."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from .. import examples as ex
from .. import serializers as s
from ..pagination import ByName, BySku
from ..schema import refusals
from ..selectors import api_company_of, api_contacts_of, api_products

NO_COMPANY = "You belong to no company (staff)."


class ProductList(GenericAPIView):
    serializer_class = s.ProductSerializer
    pagination_class = BySku

    @extend_schema(
        operation_id="products_list",
        summary="Products on sale, by SKU",
        parameters=[OpenApiParameter("sku", OpenApiTypes.STR, description="One SKU.")],
        responses=s.ProductSerializer(many=True),
        examples=[ex.out("Products", ex.PRODUCT)],
    )
    def get(self, request):
        sku = request.query_params.get("sku") or None
        page = self.paginate_queryset(api_products(company_id=request.user.company_id, sku=sku))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class MyCompany(GenericAPIView):
    serializer_class = s.CompanySerializer

    @extend_schema(
        operation_id="company_read",
        summary="Your company",
        description="Contacts only: staff belong to no company (404).",
        responses={200: s.CompanySerializer, **refusals(404, why={404: NO_COMPANY})},
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
        responses={
            200: s.ContactSerializer(many=True),
            **refusals(
                404, why={404: f"{NO_COMPANY} Or the `cursor` is not one this list gave out."}
            ),
        },
        examples=[ex.out("Contacts", ex.CONTACT)],
    )
    def get(self, request):
        if api_company_of(user=request.user) is None:
            raise NotFound(_("You belong to no company."))
        page = self.paginate_queryset(api_contacts_of(user=request.user))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
