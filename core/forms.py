"""Forms' shared pieces: the one-time key of a creating form, showing a service's refusal."""

import uuid
from collections.abc import Callable

from django import forms

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
