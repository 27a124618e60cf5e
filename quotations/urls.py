from django.urls import path

from . import views

app_name = "quotations"

urlpatterns = [
    path("", views.quote_list, name="list"),
    path("new/", views.quote_create, name="create"),
    path("desk/", views.quote_desk, name="desk"),
    path("<str:number>/", views.quote_detail, name="detail"),
    path("<str:number>/edit/", views.quote_update, name="edit"),
    path("<str:number>/withdraw/", views.quote_withdraw_view, name="withdraw"),
    path("<str:number>/accept/", views.quote_accept_view, name="accept"),
    path("<str:number>/order/", views.quote_place_order_view, name="place_order"),
    path("<str:number>/message/", views.quote_message_view, name="message"),
    path("<str:number>/offer/", views.quote_offer_view, name="offer"),
    path(
        "<str:number>/accept-as-requested/",
        views.quote_accept_as_requested_view,
        name="accept_as_requested",
    ),
    path("<str:number>/reject/", views.quote_reject_view, name="reject"),
]
