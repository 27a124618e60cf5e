from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection

from .models import Company, User


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
