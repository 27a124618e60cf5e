from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read/", views.mark_all_read, name="read_all"),
    path("<int:notification_id>/read/", views.mark_read, name="read"),
    # Email preferences moved to the person's account page; emails sent before point here.
    path("preferences/", views.PreferencesMoved.as_view(), name="preferences"),
]
