from django.urls import path

from . import views

app_name = "requisitions"

urlpatterns = [
    path("", views.requisition_index, name="list"),
    path("new/", views.requisition_create_view, name="create"),
    path("add/", views.requisition_add, name="add"),
    path("<int:pk>/", views.requisition_detail, name="detail"),
    path("<int:pk>/edit/", views.requisition_edit, name="edit"),
    path("<int:pk>/lines/", views.requisition_lines, name="lines"),
    path("<int:pk>/delete/", views.requisition_delete_view, name="delete"),
    path("<int:pk>/order/", views.requisition_order, name="order"),
]
