"""/api/v1/: the REST API, its schema and its documentation."""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from . import views

app_name = "api"

# Redoc styles itself with <style> elements and searches in a worker started from a blob.
redoc = csp_update({"style-src": [UNSAFE_INLINE], "worker-src": [SELF, "blob:"]})(
    SpectacularRedocView.as_view(url_name="api:schema")
)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", redoc, name="redoc"),
    path("orders/", views.OrderList.as_view(), name="orders"),
    path("orders/<number:number>/", views.OrderDetail.as_view(), name="order"),
    path("orders/<number:number>/cancel/", views.OrderCancel.as_view(), name="order_cancel"),
    path("orders/<number:number>/decide/", views.OrderDecide.as_view(), name="order_decide"),
    path("orders/<number:number>/fulfil/", views.OrderFulfil.as_view(), name="order_fulfil"),
    path("quotes/", views.QuoteList.as_view(), name="quotes"),
    path("quotes/<number:number>/", views.QuoteDetail.as_view(), name="quote"),
    path("quotes/<number:number>/messages/", views.QuoteMessages.as_view(), name="quote_messages"),
    path("quotes/<number:number>/accept/", views.QuoteAccept.as_view(), name="quote_accept"),
    path("quotes/<number:number>/offer/", views.QuoteOffer.as_view(), name="quote_offer"),
    path("products/", views.ProductList.as_view(), name="products"),
    path("company/", views.MyCompany.as_view(), name="company"),
    path("company/contacts/", views.MyContacts.as_view(), name="contacts"),
]
