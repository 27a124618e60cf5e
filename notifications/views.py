from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.pagination import paginate

from .forms import PreferencesForm
from .selectors import notification_list_for_user, notification_preference_for_user
from .services import notification_preferences_update


@login_required
@require_safe
def notification_list(request):
    page = paginate(notification_list_for_user(user=request.user), request.GET.get("page"))
    return render(request, "notifications/notification_list.html", {"page": page})


@login_required
def preferences(request):
    current = notification_preference_for_user(user=request.user)
    form = PreferencesForm(
        request.POST if request.method == "POST" else None,
        initial={"reminders": current.reminders},
    )
    if request.method == "POST" and form.is_valid():
        notification_preferences_update(user=request.user, reminders=form.cleaned_data["reminders"])
        messages.success(request, _("Your email preferences were saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
