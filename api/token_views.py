"""My account > API tokens: make a named token (its key shown once), revoke one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.refusals import page_refusals

from .forms import TokenForm
from .selectors import api_tokens_of
from .services import api_token_create, api_token_revoke


def _page(request, form, *, key: str = "", token=None):
    return render(
        request,
        "api/token_list.html",
        {
            "form": form,
            "tokens": api_tokens_of(user=request.user),
            "new_key": key,
            "new_token": token,
            "section": "api_tokens",
        },
    )


@login_required
def token_list(request):
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with page_refusals(
            request,
            show_on=form,
            already=lambda _first: reverse("api_tokens:list"),
            already_says=_("This token was made already; its key was shown then."),
        ):
            token, key = api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                days=form.days(),
                submission_key=form.submission_key(),
            )
            # The key is on this answer only: nothing keeps it to show again.
            return _page(request, TokenForm(), key=key, token=token)
    return _page(request, form)


@login_required
@require_POST
def token_revoke(request, token_id: int):
    if not api_tokens_of(user=request.user).filter(pk=token_id).exists():
        raise Http404("No such token.")
    token = api_token_revoke(token_id=token_id, actor=request.user)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("api_tokens:list")
