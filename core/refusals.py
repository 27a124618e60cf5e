"""How the portal answers a use case that refused: one mechanism per channel.

A service refuses by raising a ``DomainError`` (``core.domain``). A view never
catches one itself (``tests/test_project.py`` checks); it runs the service inside

- ``page_refusals``, for a page or a form posted from one: the rule of
  ``core.http.answer_refusal`` (``NotAllowed``: a 403 page saying why; anything
  else: back to the page the person acted from, with the reason on top); input
  refused on a field shown on the form instead (``show_refusal``); a form sent
  twice sent on to what the first one made;
- ``fragment_refusals``, for a view that htmx also asks for a piece of a page: that
  piece re-rendered with the reason (a ``NotAllowed`` is a 403 whose reason the
  page's script shows); the same view's plain request is answered as a page.

The API answers every ``DomainError`` in ``api.errors``; Django admin's actions go
through ``core.admin.each_selected``.

An answer leaves the view as ``Answered``, which ``RefusalMiddleware`` sends, so a
view reads straight through: the service, the message, the redirect.
"""

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from .domain import DomainError, InvalidInput, NotAllowed
from .http import answer_refusal
from .submissions import AlreadySubmitted

Target = forms.BaseForm | forms.BaseFormSet


class Answered(Exception):
    """A refusal answered: ``response`` is what the view answers."""

    def __init__(self, response: HttpResponse):
        super().__init__(response)
        self.response = response


class RefusalMiddleware:
    """Sends the answer a view's refusal was given (``Answered``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return exception.response if isinstance(exception, Answered) else None


def _field_named(row: forms.BaseForm, key: str) -> str | None:
    """The field of a formset's row whose HTML name is ``key`` (``addresses-2-label``)."""
    return next((name for name in row.fields if row.add_prefix(name) == key), None)


def show_refusal(exc: DomainError, *targets: Target) -> None:
    """Put a service's refusal where the person will look for it, with ``add_error``.

    An ``InvalidInput`` names fields (``{"comment": [...]}``): each goes on the
    first target form with a field of that name, or on the row of a target formset
    whose field has that HTML name (``addresses-2-label``). Or it names rows: a
    formset's ``row_key(row)`` (a line's SKU) puts it on that row's ``row_field``.
    The message itself goes on top of the first target (a form's non-field errors,
    a formset's own, ``core.forms.FormSet``) unless fields alone took it.

    Each target form keeps the refusal as ``refusal``, for what it shows besides
    (``orders.forms.HeaderForm.duplicate_of``).
    """
    whole = [target for target in targets if isinstance(target, forms.BaseForm)]
    rows = [
        (formset, row)
        for formset in targets
        if isinstance(formset, forms.BaseFormSet)
        for row in formset.forms
    ]
    for form in whole:
        form.refusal = exc
    on_fields = on_rows = False
    for key, texts in (exc.errors if isinstance(exc, InvalidInput) else {}).items():
        if key is None:
            continue
        form = next((form for form in whole if key in form.fields), None)
        if form is not None:
            for text in texts:
                form.add_error(key, text)
            on_fields = True
            continue
        for formset, row in rows:
            if (name := _field_named(row, key)) is not None:
                for text in texts:
                    row.add_error(name, text)
                on_fields = True
            elif formset.row_key(row) == key:
                for text in texts:
                    row.add_error(formset.row_field, text)
                on_rows = True
    if targets and not (on_fields and not on_rows):
        targets[0].add_error(None, str(exc))


def _url(where: str | Callable[[str], str], result: str) -> str:
    return where(result) if callable(where) else reverse(where, args=[result])


@contextmanager
def page_refusals(
    request: HttpRequest,
    *,
    back: str | None = None,
    show_on: Target | Sequence[Target] = (),
    already: str | Callable[[str], str] | None = None,
    already_says: str | None = None,
    say: Callable[[DomainError], str] = str,
    answer: Callable[[DomainError], HttpResponse] | None = None,
) -> Iterator[None]:
    """Run a service for a page; a refusal is answered by the rule.

    - ``show_on``: the form (or forms and formsets, the first taking the message)
      an ``InvalidInput`` is shown on (``show_refusal``); the view goes on after the
      ``with`` block to show the page again.
    - ``already``: where a form sent a second time lands (``AlreadySubmitted``):
      a URL name reversed with what the first made, or a function of it;
      ``already_says`` what is said there ("" for nothing; by default the
      refusal's own words).
    - ``answer``: the view's own page for any other refusal, ``NotAllowed``
      included (an emailed link's page, the invitation's problem page).
    - Otherwise the rule (``answer_refusal``): back to ``back`` (by default the
      page posted to), the refusal on top in ``say``'s words.
    """
    targets = (show_on,) if isinstance(show_on, Target) else tuple(show_on)
    try:
        yield
    except DomainError as exc:
        if already is not None and isinstance(exc, AlreadySubmitted):
            said = str(exc) if already_says is None else already_says
            if said:
                messages.info(request, said)
            raise Answered(redirect(_url(already, exc.result))) from exc
        if targets and isinstance(exc, InvalidInput):
            show_refusal(exc, *targets)
            return
        if answer is not None:
            raise Answered(answer(exc)) from exc
        raise Answered(
            answer_refusal(request, exc, back=back or request.path, message=say(exc))
        ) from exc


@contextmanager
def fragment_refusals(
    request: HttpRequest, *, fragment: Callable[[DomainError], HttpResponse], **page
) -> Iterator[None]:
    """Run a service for a view htmx may ask for a piece of a page.

    An htmx request is answered with ``fragment(refusal)``, the piece it asked for
    shown again with the reason (a ``NotAllowed``: a 403 saying why, as for a page).
    Any other request is a page's: ``page_refusals(request, **page)``.
    """
    if not request.htmx:
        with page_refusals(request, **page):
            yield
        return
    try:
        yield
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except DomainError as exc:
        raise Answered(fragment(exc)) from exc
