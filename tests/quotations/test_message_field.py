"""A quote's message is called "message" wherever a person or a client writes one: the
request, the counter-proposal and the offer refuse an overlong one on that field, on
the page and in the API, and make nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.domain import InvalidInput
from quotations.models import Quote, QuoteRevision
from quotations.services import QuoteLineRequest, quote_edit, quote_offer, quote_request
from tests.api.conftest import token_client
from tests.quotations.factories import offer, request_quote
from tests.quotations.test_views import lines_post, offer_post

pytestmark = pytest.mark.django_db

LONG = "x" * 5_001
SAID = "A message can be at most 5,000 characters; this one has 5,001."


def test_the_services_name_the_field_message(buyer, desk, products):
    line = QuoteLineRequest(sku=products[0].sku, quantity=5)
    with pytest.raises(InvalidInput) as asked:
        quote_request(buyer=buyer, lines=[line], message=LONG)
    quote = request_quote(buyer, (products[0], 5))
    with pytest.raises(InvalidInput) as offered:
        quote_offer(
            quote_id=quote.pk,
            actor=desk,
            lines=[],
            expires_at=timezone.now() + timedelta(days=5),
            seen_version=quote.version,
            message=LONG,
        )
    quote = offer(quote, desk, {products[0]: "9.00"})
    with pytest.raises(InvalidInput) as countered:
        quote_edit(
            quote_id=quote.pk, actor=buyer, lines=[line], seen_version=quote.version, message=LONG
        )

    for refused in (asked, offered, countered):
        assert refused.value.errors == {"message": [SAID]}


def test_a_request_with_an_overlong_message_says_so_on_the_message(client, buyer, products):
    client.force_login(buyer)

    response = client.post(
        reverse("quotations:create"),
        lines_post((products[0].sku, "5"), extra={"message": LONG}),
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"message": [SAID]}
    assert not response.context["formset"].non_form_errors()
    assert 'class="invalid-feedback' in response.content.decode()
    assert not Quote.objects.exists()


def test_a_counter_proposal_with_an_overlong_message_says_so_on_the_message(
    client, buyer, desk, products
):
    quote = offer(request_quote(buyer, (products[0], 5)), desk, {products[0]: "9.00"})
    revisions = QuoteRevision.objects.count()
    client.force_login(buyer)

    response = client.post(
        reverse("quotations:edit", args=[quote.number]),
        lines_post((products[0].sku, "8"), extra={"version": quote.version, "message": LONG}),
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"message": [SAID]}
    assert QuoteRevision.objects.count() == revisions


def test_an_offer_with_an_overlong_message_says_so_on_the_message(client, buyer, desk, products):
    quote = request_quote(buyer, (products[0], 5))
    client.force_login(desk)

    response = client.post(
        reverse("quotations:offer", args=[quote.number]),
        offer_post(quote, ["9.00"], extra={"offer-message": LONG}),
    )

    assert response.status_code == 200
    assert response.context["offer_form"].errors == {"message": [SAID]}
    assert not response.context["offer_formset"].non_form_errors()
    assert not QuoteRevision.objects.filter(quote=quote, kind="offered").exists()


def test_the_api_names_the_same_field(buyer, products):
    client = token_client(buyer)

    response = client.post(
        reverse("api:quotes"),
        {"lines": [{"sku": products[0].sku, "quantity": 5}], "message": LONG},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["message"]
    assert not Quote.objects.exists()
