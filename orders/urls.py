from django.urls import path

from . import views

app_name = "orders"

urlpatterns = [
    path("", views.order_list, name="list"),
    path("new/", views.order_create, name="create"),
    path("<str:number>/", views.order_detail, name="detail"),
    path("<str:number>/edit/", views.order_update, name="edit"),
    path("<str:number>/cancel/", views.order_cancel_view, name="cancel"),
]
