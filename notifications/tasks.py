from celery import shared_task
from django.conf import settings

from .services import (
    SendResult,
    notification_send,
    notification_sweep,
    webhook_send,
    webhook_sweep,
)
from .services.webhooks import webhook_backoff


@shared_task(bind=True, max_retries=None, acks_late=True, ignore_result=True)
def send_notification(self, notification_id: int) -> str:
    result = notification_send(notification_id=notification_id)
    # In-process (no broker) a retry would run at once inside the request that
    # queued it; the row stays pending for a later sweep instead.
    if result is SendResult.RETRY and not self.request.is_eager:
        delay = settings.NOTIFICATION_RETRY_BASE_SECONDS * 2 ** min(self.request.retries, 8)
        raise self.retry(countdown=delay)
    return result.value


@shared_task(ignore_result=True)
def sweep_pending_notifications() -> int:
    return notification_sweep()


@shared_task(bind=True, max_retries=None, acks_late=True, ignore_result=True)
def send_webhook(self, delivery_id: int) -> str:
    result = webhook_send(delivery_id=delivery_id)
    # The row says when it is due again (``next_attempt_at``); the retry comes then,
    # and the sweep is there if this task is lost. In-process, the sweep only.
    if result is SendResult.RETRY and not self.request.is_eager:
        raise self.retry(countdown=webhook_backoff(self.request.retries + 1))
    return result.value


@shared_task(ignore_result=True)
def sweep_pending_webhooks() -> int:
    return webhook_sweep()
