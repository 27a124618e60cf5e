"""The shape of what a buyer types about lists; the rules are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from orders.forms import QuantityField
from orders.services import MAX_LINES

from .models import NAME_MAX_LENGTH


class RequisitionForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Monthly office supplies")}),
    )
    is_shared = forms.BooleanField(
        label=_("Share with my colleagues"),
        required=False,
        help_text=_("They see it, order from it and copy from it; only you change it."),
    )


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ListLinesForm(VersionForm):
    """The quantities of a list's lines, and the lines to take off: one field per line."""

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            self.fields[f"qty-{line.pk}"] = QuantityField(
                label=_("Quantity of %(sku)s") % {"sku": line.product.sku},
                initial=line.quantity,
            )
            self.fields[f"remove-{line.pk}"] = forms.BooleanField(
                label=_("Take %(sku)s off") % {"sku": line.product.sku}, required=False
            )

    def rows(self):
        """(line, quantity field, remove field) per line, for the page."""
        return [(line, self[f"qty-{line.pk}"], self[f"remove-{line.pk}"]) for line in self.lines]

    def quantities(self) -> dict[int, int]:
        return {line.pk: self.cleaned_data[f"qty-{line.pk}"] for line in self.lines}

    def removed(self) -> set[int]:
        return {line.pk for line in self.lines if self.cleaned_data.get(f"remove-{line.pk}")}


def ids_of(values) -> list[int]:
    ids = []
    for value in values[:MAX_LINES]:
        try:
            number = int(value)
        except (TypeError, ValueError):
            continue
        if 0 < number < 2**31:
            ids.append(number)
    return ids


class PickForm(forms.Form):
    """The ticked lines of a list (``line``, repeated): ids, at most 100; others ignored."""

    def line_ids(self) -> list[int]:
        getlist = getattr(self.data, "getlist", None)
        return ids_of(getlist("line")) if getlist else []


class SourceForm(forms.Form):
    """What is added to a list: one product of the catalog, an order's lines, or the
    (chosen) lines of another list. Comes in the link and goes back hidden in the form."""

    sku = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    quantity = QuantityField(required=False, label=_("Quantity"))
    order = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    from_list = forms.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput
    )

    def line_ids(self) -> list[int]:
        getlist = getattr(self.data, "getlist", None)
        return ids_of(getlist("line")) if getlist else []

    def clean(self):
        data = super().clean()
        given = [k for k in ("sku", "order", "from_list") if data.get(k)]
        if len(given) != 1 and not self.errors:
            raise forms.ValidationError(_("Open this page from a product, an order or a list."))
        return data


class AddToListForm(forms.Form):
    """Which list the products go to: one of the person's own, or a new one."""

    target = forms.IntegerField(label=_("Add to"), required=False, min_value=1, max_value=2**31 - 1)
    new_name = forms.CharField(
        label=_("Name of the new list"), max_length=NAME_MAX_LENGTH, required=False
    )

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("target") and not (data.get("new_name") or "").strip():
            self.add_error("new_name", _("Choose one of your lists or name a new one."))
        return data
