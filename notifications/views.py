from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe
from django.views.generic import RedirectView

from core.pagination import paginate

from .forms import MarkAllReadForm, MarkReadForm
from .kinds import preferences_path
from .selectors import notification_get_for_user, notification_list_for_user
from .services import notification_mark_all_read, notification_mark_read


@login_required
@require_safe
def notification_list(request):
    page = paginate(notification_list_for_user(user=request.user), request.GET.get("page"))
    return render(
        request,
        "notifications/notification_list.html",
        {"page": page, "preferences_url": preferences_path()},
    )


def _back_to_inbox(form):
    page = form.cleaned_data.get("page") if form.is_valid() else None
    url = reverse("notifications:list")
    return redirect(f"{url}?page={page}" if page and page > 1 else url)


@login_required
@require_POST
def mark_read(request, notification_id):
    row = notification_get_for_user(user=request.user, notification_id=notification_id)
    notification_mark_read(user=request.user, notification_id=row.pk)
    return _back_to_inbox(MarkReadForm(request.POST))


@login_required
@require_POST
def mark_all_read(request):
    form = MarkAllReadForm(request.POST)
    up_to = form.cleaned_data.get("up_to") if form.is_valid() else None
    count = notification_mark_all_read(user=request.user, up_to_id=up_to)
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)d notification marked as read.",
                "%(count)d notifications marked as read.",
                count,
            )
            % {"count": count},
        )
    return _back_to_inbox(form)


class PreferencesMoved(RedirectView):
    """Email preferences live on the page an app registered (``kinds.preferences_page``);
    emails sent before it moved point here."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return preferences_path() or None  # none registered: gone
