from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = "Approvals"

    def ready(self):
        # Orders ask who approves them through orders.routing; the tiers answer.
        from orders import routing

        from .services.routing import ApprovalRouter

        routing.install(ApprovalRouter())

        # What approvals tell people (the kinds of email they register).
        from . import notify  # noqa: F401
