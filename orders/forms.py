from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from catalog.selectors import product_map_by_sku

from .models import MAX_LINE_QUANTITY
from .services import LineRequest

MAX_LINES = 100


class OrderLineForm(forms.Form):
    sku = forms.CharField(
        label=_("SKU"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": _("e.g. FAS-1001")}),
    )
    quantity = forms.IntegerField(
        label=_("Quantity"),
        required=False,
        min_value=1,
        max_value=MAX_LINE_QUANTITY,
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


class BaseOrderLineFormSet(forms.BaseFormSet):
    """Rows of SKU and quantity. Empty rows are ignored; the same SKU twice is merged."""

    empty_message = _("Add at least one product to the order.")
    too_many_message = _("%(sku)s: at most %(max)s per order.")

    def clean(self):
        if any(self.errors):
            return
        rows = [dict(f.cleaned_data) for f in self.forms if f.cleaned_data.get("sku")]
        if not rows:
            raise forms.ValidationError(self.empty_message)
        products = product_map_by_sku(skus=[r["sku"] for r in rows])
        for form in self.forms:
            sku = form.cleaned_data.get("sku")
            if sku and sku not in products:
                form.add_error(
                    "sku", _("No product you can order has the SKU %(sku)s.") % {"sku": sku}
                )
        if any(self.errors):
            return
        totals: dict[str, int] = {}
        for row in rows:
            totals[row["sku"]] = totals.get(row["sku"], 0) + row["quantity"]
        for sku, quantity in totals.items():
            if quantity > MAX_LINE_QUANTITY:
                raise forms.ValidationError(
                    self.too_many_message % {"sku": sku, "max": f"{MAX_LINE_QUANTITY:,}"}
                )
        self.products = products

    def line_requests(self) -> list[LineRequest]:
        return [
            LineRequest(sku=f.cleaned_data["sku"], quantity=f.cleaned_data["quantity"])
            for f in self.forms
            if f.cleaned_data.get("sku")
        ]


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
