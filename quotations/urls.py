from django.urls import path

from . import views

app_name = "quotations"

urlpatterns = [
    path("", views.quote_list, name="list"),
    path("new/", views.quote_create, name="create"),
    path("desk/", views.quote_desk, name="desk"),
    path("<number:number>/", views.quote_detail, name="detail"),
    path("<number:number>/edit/", views.quote_update, name="edit"),
    path("<number:number>/withdraw/", views.quote_withdraw_view, name="withdraw"),
    path("<number:number>/accept/", views.quote_accept_view, name="accept"),
    path("<number:number>/order/", views.quote_place_order_view, name="place_order"),
    path("<number:number>/message/", views.quote_message_view, name="message"),
    path("<number:number>/offer/", views.quote_offer_view, name="offer"),
    path(
        "<number:number>/accept-as-requested/",
        views.quote_accept_as_requested_view,
        name="accept_as_requested",
    ),
    path("<number:number>/reject/", views.quote_reject_view, name="reject"),
]
