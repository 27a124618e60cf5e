"""One object per submitted form: the one-time key of ``core.models.Submission``.

A service that creates something takes the key its form carried and calls
``submission_claim`` first in its transaction, and ``submission_done`` with
what it made. A second POST of the same form raises ``AlreadySubmitted``
naming the first result; the view sends the person there.
"""

from datetime import timedelta
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .domain import DomainError, InvalidInput
from .models import Submission

# Keys are only needed while a person could still resend the same page.
KEEP_FOR = timedelta(days=30)


class AlreadySubmitted(DomainError):
    """This form was sent before; ``result`` is what the first submission made."""

    def __init__(self, result: str):
        super().__init__(_("This was already sent; here is what it made."))
        self.result = result


def submission_claim(*, key: UUID | None, user) -> None:
    """Claim a form's key inside the caller's transaction, or say what it already made.

    Rule: a key is used once, by the person whose form it was. A concurrent
    claim of the same key waits on the primary key until the first commits.
    """
    if key is None:
        return
    try:
        with transaction.atomic():
            Submission.objects.create(key=key, user=user)
    except IntegrityError:
        first = Submission.objects.filter(key=key).first()
        if first is None or first.user_id != user.pk or not first.result:
            raise InvalidInput(
                _("This form was sent already; open the page again to start anew.")
            ) from None
        raise AlreadySubmitted(first.result) from None


def submission_done(*, key: UUID | None, result: str) -> None:
    """Record what the claimed key made (an order's or a quote's number)."""
    if key is not None:
        Submission.objects.filter(key=key).update(result=result)


def submission_forget_old(*, now=None) -> int:
    """Drop keys older than anybody could resend their page; returns how many."""
    cutoff = (now or timezone.now()) - KEEP_FOR
    deleted, _per_model = Submission.objects.filter(created_at__lt=cutoff).delete()
    return deleted
