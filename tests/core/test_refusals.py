"""One answer to a refusal per channel (``core.refusals``, ``api.errors``).

What a person who sends the same form twice is shown, page by page (each view says
where it lands through the mechanism, not its own ``try``); and where a refusal's
fields land on forms and formsets.
"""

import uuid

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.urls import reverse

from api.models import ApiToken
from companies.models import User
from core.domain import InvalidInput, InvalidState
from core.forms import FormSet
from core.refusals import show_refusal
from orders.models import Order
from quotations.models import Quote, QuoteMessage, QuoteRevision
from quotations.services import quote_accept
from requisitions.models import RequisitionList
from tests.factories import BuyerFactory, ProductFactory
from tests.orders.test_views import lines_post
from tests.quotations.factories import DeskStaffFactory, offer, request_quote
from tests.quotations.test_views import lines_post as quote_lines_post
from tests.quotations.test_views import offer_post

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def said(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def key() -> str:
    return str(uuid.uuid4())


# --- a form sent twice: where the second lands, and what it says there ---------------


def _order():
    buyer = BuyerFactory()
    data = lines_post((ProductFactory().sku, "3"), extra={"submission": key()})

    def where():
        return reverse("orders:detail", args=[Order.objects.get().number])

    return buyer, reverse("orders:create"), data, where, "This order was placed already"


def _quote_request():
    buyer = BuyerFactory()
    data = quote_lines_post(
        (ProductFactory().sku, "10"), extra={"message": "Hi", "submission": key()}
    )

    def where():
        return reverse("quotations:detail", args=[Quote.objects.get().number])

    return buyer, reverse("quotations:create"), data, where, "This was already sent"


def _counter_proposal():
    buyer, product = BuyerFactory(), ProductFactory()
    quote = offer(request_quote(buyer, (product, 10)), DeskStaffFactory(), {product: "9.00"})
    data = quote_lines_post(
        (product.sku, "20"), extra={"version": quote.version, "message": "20?", "submission": key()}
    )
    url = reverse("quotations:edit", args=[quote.number])
    return buyer, url, data, lambda: reverse("quotations:detail", args=[quote.number]), "already"


def _offer():
    desk, product = DeskStaffFactory(), ProductFactory()
    quote = request_quote(BuyerFactory(), (product, 10))
    data = offer_post(quote, ["9.00"], extra={"offer-submission": key()})
    url = reverse("quotations:offer", args=[quote.number])
    return desk, url, data, lambda: reverse("quotations:detail", args=[quote.number]), "already"


def _order_from_quote():
    buyer, product = BuyerFactory(), ProductFactory()
    quote = offer(request_quote(buyer, (product, 10)), DeskStaffFactory(), {product: "9.00"})
    quote = quote_accept(quote_id=quote.pk, actor=buyer, seen_version=quote.version)
    data = {"version": str(quote.version), "submission": key()}

    def where():
        return reverse("orders:detail", args=[Order.objects.get().number])

    url = reverse("quotations:place_order", args=[quote.number])
    return buyer, url, data, where, "This was already sent"


def _requisition():
    buyer = BuyerFactory()
    data = {"name": "Paper", "submission": key()}

    def where():
        return reverse("requisitions:detail", args=[RequisitionList.objects.get().pk])

    return buyer, reverse("requisitions:create"), data, where, "This list was made already"


def _invitation():
    admin = BuyerFactory(is_company_admin=True)
    data = {"full_name": "Ann Example", "email": "ann@example.com", "submission": key()}
    url = reverse("accounts:invite")
    return admin, url, data, lambda: reverse("accounts:people"), "This invitation was sent already"


def _token():
    buyer = BuyerFactory()
    data = {"name": "ERP sync", "expiry": "90", "submission": key()}
    url = reverse("api_tokens:list")
    return buyer, url, data, lambda: url, "This token was made already"


def _message():
    buyer = BuyerFactory()
    quote = request_quote(buyer, (ProductFactory(), 10))
    data = {"body": "Delivery by May?", "submission": key()}

    def where():
        return reverse("quotations:detail", args=[quote.number]) + "#thread"

    return buyer, reverse("quotations:message", args=[quote.number]), data, where, None


def made() -> tuple:
    return (
        Order.objects.count(),
        QuoteRevision.objects.count(),
        QuoteMessage.objects.count(),
        RequisitionList.objects.count(),
        User.objects.count(),
        ApiToken.objects.count(),
    )


@pytest.mark.parametrize(
    "case",
    [
        _order,
        _quote_request,
        _counter_proposal,
        _offer,
        _order_from_quote,
        _requisition,
        _invitation,
        _token,
        _message,
    ],
)
def test_a_form_sent_twice_makes_one_thing_and_lands_on_it(client, case):
    person, url, data, where, words = case()
    client.force_login(person)
    client.post(url, data, follow=True)  # the first: done, and its message read
    first = made()

    again = client.post(url, data)

    assert again.status_code == 302
    assert again.url == where()
    if words is None:
        assert said(again) == []
    else:
        (message,) = said(again)
        assert words in message
    assert made() == first


def test_a_message_sent_twice_from_the_thread_shows_it_once(client):
    buyer = BuyerFactory()
    quote = request_quote(buyer, (ProductFactory(), 10))
    client.force_login(buyer)
    url = reverse("quotations:message", args=[quote.number])
    data = {"body": "Delivery by May?", "submission": key()}
    client.post(url, data, headers=HTMX)

    again = client.post(url, data, headers=HTMX)

    body = again.content.decode()
    assert again.status_code == 200
    assert body.lstrip().startswith('<div class="card shadow-sm" id="thread">')
    assert body.count("Delivery by May?") == 1  # in the thread, not left in the box
    assert quote.messages.filter(body="Delivery by May?").count() == 1


# --- where a refusal lands on forms ------------------------------------------------------


class NoteForm(forms.Form):
    note = forms.CharField(required=False)


class LineForm(forms.Form):
    sku = forms.CharField()
    quantity = forms.IntegerField()


LineFormSet = forms.formset_factory(LineForm, formset=FormSet, extra=0)


def bound_lines(*rows) -> FormSet:
    data = {"lines-TOTAL_FORMS": str(len(rows)), "lines-INITIAL_FORMS": "0"}
    for i, (sku, quantity) in enumerate(rows):
        data[f"lines-{i}-sku"], data[f"lines-{i}-quantity"] = sku, quantity
    formset = LineFormSet(data, prefix="lines")
    assert formset.is_valid()
    return formset


def test_a_field_the_form_has_takes_the_refusal_and_nothing_is_said_on_top():
    form = NoteForm({"note": "x"})
    form.is_valid()
    lines = bound_lines(("A-1", "2"))

    show_refusal(InvalidInput("Too long.", {"note": ["At most 10."]}), lines, form)

    assert form.errors == {"note": ["At most 10."]}
    assert list(lines.non_form_errors()) == []
    assert lines.is_valid()
    assert form.refusal.errors == {"note": ["At most 10."]}


def test_a_row_named_by_its_sku_takes_it_and_the_message_goes_above_the_rows():
    lines = bound_lines(("A-1", "2"), ("B-2", "3"))

    show_refusal(InvalidInput("See the marked rows.", {"B-2": ["Not sold."]}), lines)

    assert lines.forms[1].errors == {"sku": ["Not sold."]}
    assert not lines.forms[0].errors
    assert list(lines.non_form_errors()) == ["See the marked rows."]
    assert not lines.is_valid()


def test_a_row_field_named_by_its_html_name_takes_it():
    lines = bound_lines(("A-1", "2"), ("B-2", "3"))

    show_refusal(InvalidInput("Too many.", {"lines-1-quantity": ["Too many."]}), lines)

    assert lines.forms[1].errors == {"quantity": ["Too many."]}
    assert list(lines.non_form_errors()) == []


@pytest.mark.parametrize(
    "refusal",
    [
        InvalidInput("Unknown.", {"nothing-here": ["Unknown."]}),
        InvalidInput("No field at all."),
        InvalidState("It moved on."),
    ],
)
def test_a_refusal_no_field_takes_goes_on_top_of_the_first_form(refusal):
    form = NoteForm({"note": "x"})
    form.is_valid()
    lines = bound_lines(("A-1", "2"))

    show_refusal(refusal, form, lines)

    assert form.non_field_errors() == [str(refusal)]
    assert list(lines.non_form_errors()) == []


def test_a_formset_says_a_refusal_above_its_rows_after_its_own_errors():
    formset = LineFormSet(
        {"lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "lines-0-sku": "A"},
        prefix="lines",
    )
    assert not formset.is_valid()  # the quantity is missing

    formset.add_error(None, "Also this.")

    assert list(formset.non_form_errors()) == ["Also this."]
    assert formset.total_error_count() == 2
    with pytest.raises(ValueError):
        formset.add_error("sku", "A formset's own errors are about no one field.")
