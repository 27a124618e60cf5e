from celery import shared_task

from .services.delegation import delegations_apply
from .services.reminders import approval_reminders_send


@shared_task(ignore_result=True)
def send_approval_reminders() -> int:
    """Remind approvers of orders waiting too long; safe to run twice."""
    return approval_reminders_send()


@shared_task(ignore_result=True)
def apply_delegations() -> tuple[int, int]:
    """Start and end the periods away that are due; safe to run twice."""
    return delegations_apply()
