from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.product_list, name="list"),
    path("suggest/", views.product_suggest, name="suggest"),
]
