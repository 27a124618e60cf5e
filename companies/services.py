from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from core.domain import InvalidInput

from .models import Company, DeliveryAddress, User


def company_lock_for_ordering(*, company_id: int) -> Company:
    """Read a company and hold it against a change of its approval setup until commit.

    ``FOR KEY SHARE``: orders of one company don't wait for each other, only for
    a re-route after the tiers changed, which locks the company ``FOR UPDATE``.
    An order routed under the old tiers is therefore always seen by the re-route.
    (The foreign key's own lock comes too late: Django's constraints are deferred
    to commit.) First in the lock order: company -> quote -> order -> ...
    """
    if connection.vendor == "postgresql":
        table = Company._meta.db_table
        rows = list(
            Company.objects.raw(
                f"SELECT * FROM {table} WHERE id = %s FOR KEY SHARE",  # noqa: S608
                [company_id],
            )
        )
        if not rows:
            raise Company.DoesNotExist
        return rows[0]
    return Company.objects.get(pk=company_id)


@dataclass(frozen=True)
class Deactivation:
    """Who was deactivated, the companies they belonged to, and how many were spared."""

    user_ids: list[int]
    company_ids: list[int]
    spared: int


def users_deactivate(*, user_ids: Iterable[int], actor: User) -> Deactivation:
    """Deactivate people: they can no longer log in, and are told nothing more.

    Rule: a superuser and the person acting are never deactivated this way (a
    site admin cannot lock everyone, themselves included, out by one click).
    The caller's transaction holds the rows' locks; an approver's waiting
    orders move on through ``approvals.services.approval_contacts_deactivate``.
    """
    wanted = list(
        User.objects.select_for_update()
        .filter(pk__in=list(user_ids), is_active=True)
        .order_by("pk")
        .values_list("pk", "is_superuser", "company_id")
    )
    kept = [
        (pk, company_id) for pk, superuser, company_id in wanted if not superuser and pk != actor.pk
    ]
    User.objects.filter(pk__in=[pk for pk, _company in kept]).update(is_active=False)
    return Deactivation(
        user_ids=[pk for pk, _company in kept],
        company_ids=sorted({company_id for _pk, company_id in kept if company_id}),
        spared=len(wanted) - len(kept),
    )


# --- Accounts: the person's own row, written for the accounts app's use cases ---


def _address_taken(*, email: str, company_id: int | None) -> InvalidInput:
    same = User.objects.filter(email__iexact=email, company_id=company_id).exists()
    if same and company_id is not None:
        message = _(
            "%(email)s is already one of your company's people; if they left, reactivate them."
        ) % {"email": email}
    else:
        message = _("%(email)s already has an account with the portal.") % {"email": email}
    return InvalidInput(message, {"email": [message]})


def contact_create(
    *,
    email: str,
    full_name: str,
    job_title: str = "",
    company_id: int | None,
    company_admin: bool = False,
) -> User:
    """A new person without a password; they choose one from their invitation.

    Rule: one account per email address, whatever its case (stored lower-case); a
    company administrator belongs to a company. The caller's transaction; a
    concurrent twin fails on the unique address.
    """
    if company_admin and company_id is None:
        message = _("A company administrator belongs to a company.")
        raise InvalidInput(message, {"is_company_admin": [message]})
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise _address_taken(email=email, company_id=company_id)
    user = User(
        email=email,
        full_name=full_name,
        job_title=job_title,
        company_id=company_id,
        is_company_admin=company_admin,
    )
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise _address_taken(email=email, company_id=company_id) from None
    return user


@dataclass(frozen=True)
class Reactivation:
    """Who was made active again, and their companies (whose routing may change)."""

    user_ids: list[int]
    company_ids: list[int]


def users_reactivate(*, user_ids: Iterable[int]) -> Reactivation:
    """Let deactivated people log in again (and decide again where they approve).

    The caller's transaction holds the rows' locks; an approver's tiers count
    again once the company's waiting orders are routed again (approvals).
    """
    rows = list(
        User.objects.select_for_update()
        .filter(pk__in=list(user_ids), is_active=False)
        .order_by("pk")
        .values_list("pk", "company_id")
    )
    User.objects.filter(pk__in=[pk for pk, _company in rows]).update(is_active=True)
    return Reactivation(
        user_ids=[pk for pk, _company in rows],
        company_ids=sorted({company_id for _pk, company_id in rows if company_id}),
    )


def user_password_set(*, user_id: int, password: str) -> User:
    """Store a new password (hashed). Every session of the person started before ends,
    since a session carries a hash of the password it was opened with."""
    user = User.objects.select_for_update().get(pk=user_id)
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


def user_profile_update(*, user_id: int, full_name: str, job_title: str) -> User:
    """A person's own name and job title, as colleagues and approvers see them."""
    user = User.objects.select_for_update().get(pk=user_id)
    user.full_name = full_name
    user.job_title = job_title
    user.save(update_fields=["full_name", "job_title"])
    return user


# --- A company's details ---


def delivery_default_clear(*, company_id: int, keep: DeliveryAddress) -> None:
    """Before ``keep`` becomes the company's default address: no other is any more.

    Rule: one default address per company (a partial unique constraint; it cannot be
    deferred, so the old default is cleared first, in the caller's transaction).
    """
    DeliveryAddress.objects.filter(company_id=company_id, is_default=True).exclude(
        pk=keep.pk
    ).update(is_default=False)
