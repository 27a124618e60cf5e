from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "REST API"

    def ready(self):
        # The token and session schemes and the shared answers, for the OpenAPI schema.
        from . import schema  # noqa: F401
