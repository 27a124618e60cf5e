from django.urls import path

from . import views

app_name = "quotations"

urlpatterns = [
    path("", views.quote_list, name="list"),
    path("new/", views.quote_create, name="create"),
    path("desk/", views.quote_desk, name="desk"),
    path("export.csv", views.quote_export, name="export"),
    path("<number:number>/", views.quote_detail, name="detail"),
    path("<number:number>/edit/", views.quote_update, name="edit"),
    path("<number:number>/message/", views.quote_message_view, name="message"),
    path("<number:number>/offer/", views.quote_offer_view, name="offer"),
    # The buttons that post the version seen: withdraw, accept, place the order,
    # accept as requested, reject; one view, driven by the table of moves.
    *(
        path(f"<number:number>/{spec.slug}/", views.quote_action, {"action": name}, name=name)
        for name, spec in views.SIMPLE_ACTIONS.items()
    ),
]
