from django.apps import AppConfig


class QuotationsConfig(AppConfig):
    name = "quotations"
    verbose_name = "Quotations"

    def ready(self):
        # What quotations tell people and machines (the kinds of email and webhook events
        # they register).
        from . import notify  # noqa: F401
