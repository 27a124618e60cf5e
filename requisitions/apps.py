from django.apps import AppConfig


class RequisitionsConfig(AppConfig):
    name = "requisitions"
    verbose_name = "Requisition lists"
