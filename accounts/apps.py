from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        # What accounts tell people (the kinds of email they register; their links are
        # signed only when the email is sent).
        from . import notify, signals  # noqa: F401

        signals.connect()
