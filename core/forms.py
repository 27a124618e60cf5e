"""Forms' shared pieces: formsets that take a refusal, the one-time key of a creating
form, saying plainly what was wrong with a form."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy


class FormSet(forms.BaseFormSet):
    """The project's formsets. Like a form, ``add_error(None, message)`` says
    something above the rows. A refusal about one row names it by ``row_key``
    (a line's SKU) and lands on its ``row_field`` (``core.refusals.show_refusal``).
    """

    row_field = "sku"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._said: list = []

    def row_key(self, row: forms.Form) -> str | None:
        return (getattr(row, "cleaned_data", None) or {}).get("sku")

    def add_error(self, field: None, error) -> None:
        if field is not None:
            raise ValueError("A formset's own errors are about no one field.")
        self._said.append(error)

    def non_form_errors(self):
        errors = super().non_form_errors()
        if not self._said:
            return errors
        said = [ValidationError(message) for message in self._said]
        return self.error_class(
            [*errors.as_data(), *said], error_class="nonform", renderer=self.renderer
        )


class SubmissionForm(forms.Form):
    """The one-time key every form that creates something carries (``core.submissions``).

    A fresh key on each page; the same key again when the page comes back with
    errors, since nothing was made.
    """

    submission = forms.UUIDField(required=False, widget=forms.HiddenInput, initial=uuid.uuid4)

    def submission_key(self):
        return self.cleaned_data.get("submission")


PAGE_OUT_OF_DATE = gettext_lazy(
    "This page is out of date or incomplete, so nothing was changed. Open it again and retry."
)


def _hidden_errors(form: forms.Form) -> bool:
    return any(name in form.errors for name, field in form.fields.items() if field.widget.is_hidden)


def explain_hidden_errors(target: forms.Form | FormSet) -> bool:
    """Say plainly when a field the person never sees is missing or was tampered with.

    Hidden fields (the version seen, a line's id, a step) carry the page's state;
    their own errors would show nowhere. Returns whether there were any.
    """
    if isinstance(target, forms.BaseFormSet):
        if any(_hidden_errors(row) for row in target.forms):
            if PAGE_OUT_OF_DATE not in target.non_form_errors():
                target.add_error(None, PAGE_OUT_OF_DATE)
            return True
        return False
    if _hidden_errors(target):
        target.add_error(None, PAGE_OUT_OF_DATE)
        return True
    return False


def form_problem(form: forms.Form) -> str:
    """One sentence for a small form posted from a button: what was wrong with it."""
    if _hidden_errors(form):
        return str(PAGE_OUT_OF_DATE)
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        return f"{label}: {errors[0]}" if label else str(errors[0])
    return str(PAGE_OUT_OF_DATE)
