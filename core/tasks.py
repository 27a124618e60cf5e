from celery import shared_task

from .submissions import submission_forget_old


@shared_task(ignore_result=True)
def forget_old_submissions() -> int:
    """Drop one-time form keys nobody can resend any more; safe to run twice."""
    return submission_forget_old()
