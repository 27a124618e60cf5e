"""/api/v1/: the REST API, its schema and its documentation."""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from . import errors
from .views import company, orders, quotes

app_name = "api"

# Redoc styles itself with <style> elements and searches in a worker started from a blob.
redoc = csp_update({"style-src": [UNSAFE_INLINE], "worker-src": [SELF, "blob:"]})(
    SpectacularRedocView.as_view(url_name="api:schema")
)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", redoc, name="redoc"),
    path("orders/", orders.OrderList.as_view(), name="orders"),
    path("orders/<number:number>/", orders.OrderDetail.as_view(), name="order"),
    path("orders/<number:number>/cancel/", orders.OrderCancel.as_view(), name="order_cancel"),
    path("orders/<number:number>/decide/", orders.OrderDecide.as_view(), name="order_decide"),
    path("orders/<number:number>/fulfil/", orders.OrderFulfil.as_view(), name="order_fulfil"),
    path("quotes/", quotes.QuoteList.as_view(), name="quotes"),
    path("quotes/<number:number>/", quotes.QuoteDetail.as_view(), name="quote"),
    path("quotes/<number:number>/messages/", quotes.QuoteMessages.as_view(), name="quote_messages"),
    path("quotes/<number:number>/accept/", quotes.QuoteAccept.as_view(), name="quote_accept"),
    path("quotes/<number:number>/offer/", quotes.QuoteOffer.as_view(), name="quote_offer"),
    path("products/", company.ProductList.as_view(), name="products"),
    path("company/", company.MyCompany.as_view(), name="company"),
    path("company/contacts/", company.MyContacts.as_view(), name="contacts"),
    # Anything else under /api/v1/ is a 404 in the API's shape, not the portal's page;
    # a path without its final slash is sent to the one with it first, as everywhere.
    re_path(r"^(?P<rest>(?s:.*)/)?$", errors.unknown_url),
]
