"""The shape of what a buyer types; the rules are the services' (``orders.services.lines``)."""

from django import forms
from django.forms import formset_factory
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from companies.selectors import cost_centres_of, delivery_addresses_of
from core.forms import FormSet

from .models import MAX_COST_CENTRE, MAX_LINE_QUANTITY, MAX_NOTE, MAX_PO_REFERENCE
from .services import MAX_LINES, DuplicatePoReference, HeaderRequest, LineRequest
from .services.lines import quantity_problem
from .services.paste import MAX_PASTED_CHARS, MAX_PASTED_LINES, PasteRefused, paste_decode


def quantity_widget() -> forms.NumberInput:
    """A quantity's input, with the bound as the browser's hint."""
    return forms.NumberInput(attrs={"min": 1, "max": MAX_LINE_QUANTITY, "step": 1})


class QuantityField(forms.IntegerField):
    """A quantity a form holds on to by itself (a list's lines): the bound and its words
    are ``quantity_problem``'s, the same as the services say."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", quantity_widget())
        super().__init__(**kwargs)

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError:
            raise forms.ValidationError(quantity_problem(None), code="invalid") from None

    def validate(self, value):
        super().validate(value)
        if value is not None and (problem := quantity_problem(value)) is not None:
            raise forms.ValidationError(problem, code="range")


class ListOrText(forms.Select):
    """A choice of the company's cost centres when it keeps a list, else free text:
    decided when shown (the list is read then, not when a post is checked)."""

    def render(self, name, value, attrs=None, renderer=None):
        if len(list(self.choices)) > 1:  # more than "None"
            return super().render(name, value, attrs, renderer)
        text = forms.TextInput(attrs={**self.attrs, "class": "form-control"})
        return text.render(name, value, attrs, renderer)


class NamesDuplicateOrder:
    """A form refused for a PO reference another order of the company has already:
    ``duplicate_of`` is that order's number, for a link to it (``refusal`` is set by
    ``core.refusals.show_refusal``)."""

    refusal = None

    @property
    def duplicate_of(self) -> str:
        return self.refusal.number if isinstance(self.refusal, DuplicatePoReference) else ""


class HeaderForm(NamesDuplicateOrder, forms.Form):
    """An order's (or a quote's) header: the shape only; the rules are
    ``orders.services.header``'s. Used with ``prefix="header"``.

    ``addresses`` and ``cost_centres``: the company's, for the choices. A posted
    address id is handed to the service as a number, whoever's it is: another
    company's is a 404 there.
    """

    po_reference = forms.CharField(
        label=_("Your PO reference"),
        max_length=MAX_PO_REFERENCE,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    delivery_address = forms.IntegerField(
        label=_("Deliver to"), required=False, min_value=1, widget=forms.Select
    )
    delivery_date = forms.DateField(
        label=_("Requested delivery date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    cost_centre = forms.CharField(
        label=_("Cost centre"), max_length=MAX_COST_CENTRE, required=False
    )
    note_to_seller = forms.CharField(
        label=_("Note to the seller"),
        max_length=MAX_NOTE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, addresses=(), cost_centres=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Read only when the form is shown: a valid post places the order without them.
        self._addresses, self._cost_centres = addresses, cost_centres
        self.fields["delivery_address"].widget.choices = lambda: (
            [(a.pk, a.label) for a in self.addresses] or [("", _("No address on file"))]
        )
        self.fields["cost_centre"].widget = ListOrText(
            choices=lambda: [("", _("None"))] + [(c.code, str(c)) for c in self.cost_centres]
        )
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    @cached_property
    def addresses(self) -> list:
        return list(self._addresses)

    @cached_property
    def cost_centres(self) -> list:
        return list(self._cost_centres)

    def header_request(self) -> HeaderRequest:
        data = self.cleaned_data
        return HeaderRequest(
            po_reference=data.get("po_reference") or "",
            delivery_address_id=data.get("delivery_address"),
            delivery_date=data.get("delivery_date"),
            cost_centre=data.get("cost_centre") or "",
            note_to_seller=data.get("note_to_seller") or "",
        )

    @staticmethod
    def initial_for(source=None, addresses=()) -> dict:
        """What the form starts with: an order's (or a quote's) header, or the default address."""
        if source is not None:
            return {
                "po_reference": source.po_reference,
                "delivery_address": source.delivery_address_id,
                "delivery_date": source.delivery_date,
                "cost_centre": source.cost_centre,
                "note_to_seller": source.note_to_seller,
            }
        default = next((a for a in addresses if a.is_default), None)
        default = default or next(iter(addresses), None)
        return {"delivery_address": default.pk if default else None}


class OrderLineForm(forms.Form):
    sku = forms.CharField(
        label=_("SKU"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": _("e.g. FAS-1001")}),
    )
    # A whole number; its range is a rule of the service, hinted to the browser here.
    quantity = forms.IntegerField(label=_("Quantity"), required=False, widget=quantity_widget())

    def clean(self):
        data = super().clean()
        sku = (data.get("sku") or "").strip().upper()
        data["sku"] = sku
        quantity = data.get("quantity")
        if sku and quantity is None and "quantity" not in self.errors:
            self.add_error("quantity", _("How many?"))
        if quantity is not None and not sku:
            self.add_error("sku", _("Which product?"))
        return data


class PrefillForm(forms.Form):
    """What a link may start a new order (or quote) with: a past order, or one product."""

    again = forms.CharField(required=False, max_length=20)
    sku = forms.CharField(required=False, max_length=40)

    def rows(self) -> list[dict]:
        """The one product as a row, when the link named one; or the link's ``line``s
        ("SKU*quantity", as a requisition list hands its lines over), as they are: the
        form checks them like typed rows."""
        sku = (self.cleaned_data.get("sku") or "").strip().upper() if self.is_valid() else ""
        if sku:
            return [{"sku": sku, "quantity": 1}]
        rows = []
        getlist = getattr(self.data, "getlist", None)
        for value in (getlist("line") if getlist else [])[:MAX_LINES]:
            line_sku, _star, quantity = str(value).rpartition("*")
            if line_sku.strip() and len(line_sku) <= 40 and quantity.isdigit():
                rows.append({"sku": line_sku.strip().upper(), "quantity": int(quantity[:7])})
        return rows

    def order_to_repeat(self) -> str:
        return (self.cleaned_data.get("again") or "").strip() if self.is_valid() else ""


class NextRowForm(forms.Form):
    """ "Add line": how many rows the order form has, so the index of the new one.

    Used with ``prefix="lines"``: the formset's own ``lines-TOTAL_FORMS``.
    """

    TOTAL_FORMS = forms.IntegerField(min_value=0)


class PreviewRowForm(forms.Form):
    """The live preview: which row changed (and the order being changed, on its edit page)."""

    row = forms.IntegerField(min_value=0, max_value=MAX_LINES - 1)
    editing = forms.CharField(required=False, max_length=20)


class BaseOrderLineFormSet(FormSet):
    """Rows of SKU and quantity; empty rows are ignored."""

    def line_request(self, row: dict) -> LineRequest:
        return LineRequest(sku=row["sku"], quantity=row["quantity"])

    def line_requests(self) -> list[LineRequest]:
        return [self.line_request(f.cleaned_data) for f in self.forms if f.cleaned_data.get("sku")]


OrderLineFormSet = formset_factory(
    OrderLineForm,
    formset=BaseOrderLineFormSet,
    extra=5,
    max_num=MAX_LINES,
    validate_max=True,
    absolute_max=MAX_LINES,
)


class VersionForm(forms.Form):
    """The version of the order the person saw, posted back with every change."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PasteForm(forms.Form):
    """Many lines at once: pasted from a spreadsheet, or a CSV file (``orders.services.paste``)."""

    paste = forms.CharField(
        label=_("Paste lines"),
        required=False,
        max_length=MAX_PASTED_CHARS,
        strip=False,
        help_text=_(
            "One product per line: SKU and quantity, separated by a tab, a comma, a semicolon "
            "or a space, as copied from a spreadsheet. At most %(max)s lines."
        )
        % {"max": f"{MAX_PASTED_LINES:,}"},
        widget=forms.Textarea(
            attrs={
                "rows": 4,
                "spellcheck": "false",
                "autocapitalize": "characters",
                "placeholder": "CHR-1001\t3\nPAP-4001\t10",
            }
        ),
    )
    upload = forms.FileField(
        label=_("Or upload a CSV file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
    )

    def clean(self):
        data = super().clean()
        parts = [data.get("paste") or ""]
        upload = data.get("upload")
        if upload:
            try:
                parts.append(paste_decode(upload.read(10 * MAX_PASTED_CHARS + 1)))
            except PasteRefused as exc:
                self.add_error("upload", str(exc))
        text = "\n".join(p for p in parts if p.strip())
        if not self.errors and not text.strip():
            self.add_error("paste", _("Paste some lines or choose a file first."))
        data["text"] = text
        return data


def header_form(user, data=None, *, source=None) -> HeaderForm:
    """The header part of an order (or quote) form, with the company's addresses and cost
    centres to choose from (two queries when shown, none for a post that succeeds)."""
    form = HeaderForm(
        data,
        prefix="header",
        addresses=delivery_addresses_of(company_id=user.company_id),
        cost_centres=cost_centres_of(company_id=user.company_id),
    )
    if data is None:
        form.initial = HeaderForm.initial_for(source, () if source else form.addresses)
    return form
