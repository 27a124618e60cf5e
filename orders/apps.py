from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Orders"

    def ready(self):
        # What orders tell people and machines (the kinds of email and webhook events
        # they register).
        from . import notify  # noqa: F401
