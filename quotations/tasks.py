from celery import shared_task
from django.utils import timezone

from .services import quote_expire_due, quote_expiry_warnings_send


@shared_task
def expire_due_quotes() -> int:
    """Mark offers past their expiry as expired; safe to run twice."""
    return quote_expire_due(now=timezone.now())


@shared_task(ignore_result=True)
def send_quote_expiry_warnings() -> int:
    """Tell buyers of offers expiring within a day; safe to run twice."""
    return quote_expiry_warnings_send()
