from celery import shared_task

from .services.reminders import approval_reminders_send


@shared_task(ignore_result=True)
def send_approval_reminders() -> int:
    """Remind approvers of orders waiting too long; safe to run twice."""
    return approval_reminders_send()
