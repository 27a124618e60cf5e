"""The shape of what a buyer types; the rules are the services' (``orders.services.lines``)."""

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from .models import MAX_LINE_QUANTITY
from .services import MAX_LINES, LineRequest
from .services.paste import MAX_PASTED_CHARS, MAX_PASTED_LINES, PasteRefused, paste_decode


class OrderLineForm(forms.Form):
    sku = forms.CharField(
        label=_("SKU"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": _("e.g. FAS-1001")}),
    )
    # A whole number; its range is a rule of the service, hinted to the browser here.
    quantity = forms.IntegerField(
        label=_("Quantity"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_LINE_QUANTITY, "step": 1}),
    )

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
    """The live preview: which row changed."""

    row = forms.IntegerField(min_value=0, max_value=MAX_LINES - 1)


class BaseOrderLineFormSet(forms.BaseFormSet):
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
