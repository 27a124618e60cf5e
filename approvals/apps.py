from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = "Approvals"

    def ready(self):
        # Orders ask who approves them through orders.routing; the tiers answer.
        from orders import routing

        from .services.routing import ApprovalRouter

        routing.install(ApprovalRouter())

        # The emails asking an approver to decide carry a link per decision, signed for
        # their one recipient when they are sent.
        from notifications.links import register_extra
        from notifications.models import NotificationKind

        from .links import email_decision_links

        for kind in (NotificationKind.ORDER_WAITING, NotificationKind.APPROVAL_REMINDER):
            register_extra(kind, email_decision_links)
