from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter

from accounts.views.login import LoginView
from core.converters import DocumentNumberConverter
from dashboards import views as dashboard_views

register_converter(DocumentNumberConverter, "number")

admin.site.site_header = f"{settings.PORTAL_NAME} administration"
admin.site.site_title = settings.PORTAL_NAME
admin.site.index_title = "Configuration"

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    # Django's login, with a second step when the person has two-factor on
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/api-tokens/", include("api.token_urls")),
    path("accounts/", include("accounts.urls")),
    path("catalog/", include("catalog.urls")),
    path("orders/", include("orders.urls")),
    path("approvals/", include("approvals.urls")),
    path("quotes/", include("quotations.urls")),
    path("lists/", include("requisitions.urls")),
    path("notifications/", include("notifications.urls")),
    path("api/v1/", include("api.urls")),
    path("admin/", admin.site.urls),
]

handler500 = "dashboards.views.server_error"

if settings.BENCHMARK:
    urlpatterns += [path("_baseline/", include("benchmark.urls"))]
