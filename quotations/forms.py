from datetime import datetime, time, timedelta

from django import forms
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import FormSet, SubmissionForm
from orders.forms import BaseOrderLineFormSet, NamesDuplicateOrder, OrderLineForm, quantity_widget
from orders.services import MAX_LINES

from .models import MAX_MESSAGE_LENGTH, MAX_UNIT_PRICE, Quote
from .services import OfferedLine, QuoteLineRequest

OFFER_VALID_DAYS = 14


# Forms read the shape of what was typed (a number, a text); the limits are rules of
# the services, which say what is wrong in their own words. The browser gets hints.


def _price_field(label, *, required: bool) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        widget=forms.NumberInput(attrs={"min": 0, "max": MAX_UNIT_PRICE, "step": "0.01"}),
    )


def _text_field(label, *, required: bool, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows, "maxlength": MAX_MESSAGE_LENGTH}),
    )


class QuoteLineForm(OrderLineForm):
    """A row of SKU, quantity and, optionally, the unit price the buyer hopes for."""

    target_unit_price = _price_field(_("Target unit price"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("target_unit_price") is not None and not data.get("sku"):
            self.add_error("sku", _("Which product?"))
        return data


class BaseQuoteLineFormSet(BaseOrderLineFormSet):
    """The order form's rows, each with an optional target price."""

    def line_request(self, row: dict) -> QuoteLineRequest:
        return QuoteLineRequest(
            sku=row["sku"], quantity=row["quantity"], target_unit_price=row.get("target_unit_price")
        )


QuoteLineFormSet = formset_factory(
    QuoteLineForm,
    formset=BaseQuoteLineFormSet,
    extra=3,
    max_num=MAX_LINES,
    validate_max=True,
    absolute_max=MAX_LINES,
)


def quote_line_formset(*, data=None, quote: Quote | None = None, initial=None):
    """The buyer's rows; for an edit, the quote's lines as they are now, plus empty rows."""
    if quote is not None:
        initial = [
            {
                "sku": line.product.sku,
                "quantity": line.quantity,
                "target_unit_price": line.target_unit_price,
            }
            for line in quote.lines.all()
        ]
    return QuoteLineFormSet(data, prefix="lines", initial=initial)


class VersionForm(forms.Form):
    """The version of the quote the person saw, posted back with every change."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class QuoteRequestForm(SubmissionForm):
    message = _text_field(_("Message to the seller"), required=True, rows=4)

    def __init__(self, *args, message_required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        # "Request a quote instead" on the order form sends lines without a message.
        self.fields["message"].required = message_required


class QuoteEditForm(VersionForm, SubmissionForm):
    message = _text_field(_("Message (optional)"), required=False)


class PlaceOrderForm(NamesDuplicateOrder, VersionForm, SubmissionForm):
    """Place the order of an accepted quote: once per click, whatever the clicks."""


class WithdrawForm(VersionForm):
    comment = _text_field(_("Why (optional)"), required=False, rows=2)


class RejectForm(VersionForm):
    reason = _text_field(_("Reason"), required=True)


class AcceptAsRequestedForm(VersionForm):
    message = _text_field(_("Message (optional)"), required=False, rows=2)


class MessageForm(SubmissionForm):
    body = _text_field(_("Message"), required=True)


class OfferForm(VersionForm, SubmissionForm):
    expires_on = forms.DateField(
        label=_("Valid until (inclusive)"),
        widget=forms.DateInput(
            attrs={"type": "date", "class": "form-control", "required": True}, format="%Y-%m-%d"
        ),
    )
    message = _text_field(_("Message (optional)"), required=False)

    def expires_at(self) -> datetime:
        """The end of the chosen day, in the portal's time zone."""
        return timezone.make_aware(datetime.combine(self.cleaned_data["expires_on"], time.max))


class OfferLineForm(forms.Form):
    line_id = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    unit_price = _price_field(_("Offered unit price"), required=True)
    quantity = forms.IntegerField(label=_("Quantity"), required=False, widget=quantity_widget())


class BaseOfferLineFormSet(FormSet):
    """One row per line of the quote, each required: an offer prices every line. A
    refusal about a line (by its SKU) is shown on its price."""

    row_field = "unit_price"

    def row_key(self, row) -> str | None:
        line = getattr(row, "line", None)
        return line.product.sku if line is not None else None

    def get_form_kwargs(self, index):
        # Rows the page did not send as "initial" still need a line and a price.
        return {**super().get_form_kwargs(index), "empty_permitted": False}

    def offered_lines(self) -> list[OfferedLine]:
        return [
            OfferedLine(
                line_id=f.cleaned_data["line_id"],
                unit_price=f.cleaned_data["unit_price"],
                quantity=f.cleaned_data.get("quantity"),
            )
            for f in self.forms
        ]


OfferLineFormSet = formset_factory(
    OfferLineForm,
    formset=BaseOfferLineFormSet,
    extra=0,
    max_num=MAX_LINES,
    validate_max=True,
    absolute_max=MAX_LINES,
)


def offer_forms(*, quote: Quote, data=None) -> tuple[OfferForm, BaseOfferLineFormSet]:
    """The desk's offer: one row per line, starting from the price the buyer asked for."""
    lines = list(quote.lines.all())
    expires_on = timezone.localdate() + timedelta(days=OFFER_VALID_DAYS)
    if quote.expires_at is not None and quote.expires_at > timezone.now():
        expires_on = timezone.localtime(quote.expires_at).date()
    form = OfferForm(
        data, prefix="offer", initial={"version": quote.version, "expires_on": expires_on}
    )
    formset = OfferLineFormSet(
        data,
        prefix="offer-lines",
        initial=[
            {
                "line_id": line.pk,
                "unit_price": line.offered_unit_price
                if line.offered_unit_price is not None
                else line.requested_unit_price,
                "quantity": line.quantity,
            }
            for line in lines
        ],
    )
    by_id = {line.pk: line for line in lines}
    for i, row in enumerate(formset.forms):
        row.line = by_id.get(row.initial.get("line_id")) if i < len(lines) else None
    return form, formset
