from django.urls import path

from . import views

app_name = "approvals"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("decided/", views.history, name="history"),
    path("site-admin/", views.staff_queue, name="staff_queue"),
    path("bulk-approve/", views.bulk_approve, name="bulk_approve"),
    path("away/", views.away, name="away"),
    path("away/cancel/", views.away_cancel, name="away_cancel"),
    path("orders/<number:number>/", views.order, name="order"),
    path("orders/<number:number>/decide/", views.decide, name="decide"),
    # a decision link from an email: signed, for one step, one approver, one version
    path("email/<str:token>/", views.email_decision, name="email_decision"),
]
