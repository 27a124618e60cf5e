"""Forms' shared pieces: the one-time key of a creating form, showing a service's refusal."""

import uuid
from collections.abc import Callable

from django import forms
from django.utils.translation import gettext_lazy

from .domain import DomainError, InvalidInput


def _sku_of(row: forms.Form) -> str | None:
    data = getattr(row, "cleaned_data", None) or {}
    return data.get("sku")


def show_domain_error(
    exc: DomainError,
    form: forms.Form | None = None,
    formset: forms.BaseFormSet | None = None,
    *,
    row_key: Callable[[forms.Form], str | None] = _sku_of,
    row_field: str = "sku",
) -> None:
    """Put a service's refusal where the person will look for it.

    An ``InvalidInput`` names fields (``{"comment": [...]}``) or rows (by SKU):
    field errors go on ``form``'s field of that name, row errors on every row of
    ``formset`` whose ``row_key`` matches, in its ``row_field``. The message
    itself goes above the rows (or the form) when nothing more precise took it.
    """
    errors = exc.errors if isinstance(exc, InvalidInput) else {}
    on_fields = on_rows = False
    for key, messages in errors.items():
        if form is not None and key in form.fields:
            for message in messages:
                form.add_error(key, message)
            on_fields = True
            continue
        for row in formset.forms if formset is not None else ():
            if key is not None and row_key(row) == key:
                for message in messages:
                    row.add_error(row_field, message)
                on_rows = True
    if on_fields and not on_rows:
        return
    if formset is not None:
        formset.non_form_errors().append(str(exc))
    elif form is not None:
        form.add_error(None, str(exc))


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


def explain_hidden_errors(target: forms.Form | forms.BaseFormSet) -> bool:
    """Say plainly when a field the person never sees is missing or was tampered with.

    Hidden fields (the version seen, a line's id, a step) carry the page's state;
    their own errors would show nowhere. Returns whether there were any.
    """
    if isinstance(target, forms.BaseFormSet):
        if any(_hidden_errors(row) for row in target.forms):
            if PAGE_OUT_OF_DATE not in target.non_form_errors():
                target.non_form_errors().append(PAGE_OUT_OF_DATE)
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
