"""Demo webhook endpoint: registered, switched off until a site admin points it at a receiver."""

from .models import WebhookEndpoint, WebhookEvent

DEMO_ENDPOINT = "ERP (example)"


def seed_webhooks() -> int:
    """An inactive endpoint for order events; how many were created (0 on a re-run)."""
    _, created = WebhookEndpoint.objects.get_or_create(
        name=DEMO_ENDPOINT,
        defaults={
            "url": "http://127.0.0.1:9000/portal-webhooks",
            "is_active": False,
            "events": [
                WebhookEvent.ORDER_APPROVED,
                WebhookEvent.ORDER_CANCELLED,
                WebhookEvent.ORDER_FULFILLED,
            ],
        },
    )
    return int(created)
