from django.urls import path

from . import views

# Unnamespaced: the measurements reverse "baseline".
urlpatterns = [
    path("", views.baseline, name="baseline"),
]
