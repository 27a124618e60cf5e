from django.db import connection

from .models import Company


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
