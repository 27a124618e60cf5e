from celery import shared_task

from .submissions import submission_forget_old
from .tallies import tally_fold


@shared_task(ignore_result=True)
def forget_old_submissions() -> int:
    """Drop one-time form keys nobody can resend any more; safe to run twice."""
    return submission_forget_old()


@shared_task(ignore_result=True)
def fold_tallies() -> int:
    """Fold the running counts' new rows into one per name; safe to run twice."""
    return tally_fold()
