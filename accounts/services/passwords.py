"""Forgotten passwords, and a person's own name.

Django's own views set the password from a reset link and change it from the
account page (``PasswordResetConfirmView``, ``PasswordChangeView``); either ends
the person's other sessions, which carry a hash of the password they began with.
"""

from django.conf import settings
from django.db import transaction

from companies.models import User
from companies.services import user_profile_update

from .. import notify


@transaction.atomic
def password_reset_request(*, email: str) -> int:
    """Email a reset link to the account with this address, if there is one; how many.

    Rule: the person asking is told the same whether or not the address has an account
    (the page says so, not this); only an active person who has a password is sent one
    (an invited person who never joined uses their invitation). The link is made when
    the email is sent and expires PASSWORD_RESET_TIMEOUT later.
    """
    hours = max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)
    people = [
        user
        for user in User.objects.filter(email__iexact=email.strip(), is_active=True)
        if user.has_usable_password()
    ]
    for user in people:
        notify.password_reset_requested(user=user, hours=hours)
    return len(people)


def profile_update(*, user: User, full_name: str, job_title: str) -> User:
    """A person's own name and job title, as colleagues, approvers and the seller see them."""
    with transaction.atomic():
        return user_profile_update(user_id=user.pk, full_name=full_name, job_title=job_title)
