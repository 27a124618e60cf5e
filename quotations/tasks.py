from celery import shared_task
from django.utils import timezone

from .services import quote_expire_due


@shared_task
def expire_due_quotes() -> int:
    """Mark offers past their expiry as expired; safe to run twice."""
    return quote_expire_due(now=timezone.now())
