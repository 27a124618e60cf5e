from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "REST API"

    def ready(self):
        # The token scheme, described once for the OpenAPI schema.
        from . import schema  # noqa: F401
