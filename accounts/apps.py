from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        # The outbox signs invitation and reset links only when it sends the email.
        from notifications import links
        from notifications.models import NotificationKind

        from . import signals
        from .tokens import invitation_link, password_reset_link

        links.register(NotificationKind.INVITATION, invitation_link)
        links.register(NotificationKind.PASSWORD_RESET, password_reset_link)
        signals.connect()
