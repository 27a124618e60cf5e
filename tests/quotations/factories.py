from datetime import timedelta
from decimal import Decimal

import factory
from django.contrib.auth.models import Permission
from django.utils import timezone
from factory.django import DjangoModelFactory

from catalog.models import Product
from companies.models import User
from quotations.models import Quote, QuoteLine, QuoteStatus, quote_number
from quotations.services import OfferedLine, QuoteLineRequest, quote_offer, quote_request
from tests.factories import BuyerFactory, CompanyFactory, ProductFactory, StaffFactory


class DeskStaffFactory(StaffFactory):
    """A site admin who answers quotes (has ``quotations.use_quote_desk``)."""

    @factory.post_generation
    def _desk(obj, create, extracted, **kwargs):
        if create:
            obj.user_permissions.add(
                Permission.objects.get(
                    codename="use_quote_desk", content_type__app_label="quotations"
                )
            )


class QuoteFactory(DjangoModelFactory):
    """A bare quote row for list and query-count tests; flows use ``request_quote``."""

    class Meta:
        model = Quote
        skip_postgeneration_save = True

    company = factory.SubFactory(CompanyFactory)
    requested_by = factory.SubFactory(BuyerFactory, company=factory.SelfAttribute("..company"))
    status = QuoteStatus.REQUESTED
    expires_at = factory.Maybe(
        factory.LazyAttribute(lambda o: o.status == QuoteStatus.OFFERED),
        yes_declaration=factory.LazyFunction(lambda: timezone.now() + timedelta(days=7)),
        no_declaration=None,
    )

    @factory.post_generation
    def _number(obj, create, extracted, **kwargs):
        if create:
            obj.number = quote_number(obj.pk)
            obj.save(update_fields=["number"])

    @factory.post_generation
    def lines(obj, create, extracted, **kwargs):
        if create:
            for _ in range(extracted if extracted is not None else 2):
                QuoteLine.objects.create(quote=obj, product=ProductFactory(), quantity=3)


def request_quote(
    buyer: User, *lines: tuple, message: str = "Please quote these, delivery in May."
) -> Quote:
    """Ask for a quote through the service; a line is (product, quantity[, target price])."""
    return quote_request(
        buyer=buyer,
        lines=[
            QuoteLineRequest(
                sku=line[0].sku,
                quantity=line[1],
                target_unit_price=Decimal(line[2]) if len(line) > 2 and line[2] else None,
            )
            for line in lines
        ],
        message=message,
    )


def offer(
    quote: Quote,
    staff: User,
    prices: dict[Product, str],
    *,
    quantities: dict[Product, int] | None = None,
    days: int = 14,
    message: str = "",
) -> Quote:
    """Offer prices through the service, as the desk would, from the current version."""
    quote.refresh_from_db()
    quantities = quantities or {}
    return quote_offer(
        quote_id=quote.pk,
        actor=staff,
        lines=[
            OfferedLine(
                line_id=line.pk,
                unit_price=Decimal(prices[line.product]),
                quantity=quantities.get(line.product),
            )
            for line in quote.lines.select_related("product")
        ],
        expires_at=timezone.now() + timedelta(days=days),
        seen_version=quote.version,
        message=message,
    )
