"""Reads of a company's details, scoped to the company asking."""

from django.db.models import QuerySet
from django.http import Http404

from .models import Company, CostCentre, DeliveryAddress


def delivery_addresses_of(*, company_id: int) -> QuerySet[DeliveryAddress]:
    """The company's delivery addresses, the default first."""
    return DeliveryAddress.objects.filter(company_id=company_id).order_by(
        "-is_default", "label", "id"
    )


def delivery_address_get(*, company_id: int, address_id: int) -> DeliveryAddress:
    """One of the company's delivery addresses; 404 whether missing or another company's."""
    if not isinstance(address_id, int) or not 0 < address_id < 2**31:
        raise Http404("No such address.")
    try:
        return DeliveryAddress.objects.get(company_id=company_id, pk=address_id)
    except DeliveryAddress.DoesNotExist:
        raise Http404("No such address.") from None


def cost_centres_of(*, company_id: int) -> QuerySet[CostCentre]:
    return CostCentre.objects.filter(company_id=company_id).order_by("code", "id")


def company_details(*, company_id: int) -> Company:
    """The company with its addresses and cost centres, in three queries."""
    return Company.objects.prefetch_related("delivery_addresses", "cost_centres").get(pk=company_id)
