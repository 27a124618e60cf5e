from django.urls import path

from . import views

app_name = "orders"

urlpatterns = [
    path("", views.order_list, name="list"),
    path("export.csv", views.order_export, name="export"),
    path("new/", views.order_create, name="create"),
    path("new/line/", views.order_line_row, name="line_row"),
    path("new/preview/", views.order_line_preview, name="line_preview"),
    path("<number:number>/", views.order_detail, name="detail"),
    path("<number:number>/edit/", views.order_update, name="edit"),
    path("<number:number>/cancel/", views.order_cancel_view, name="cancel"),
]
