"""Running counts the services keep, read in a few rows whatever the data holds.

A service that moves something a page counts adds the difference in its own
transaction (``tally_add``); the page reads the sum (``tally_read``, or
``tally_sum`` inside a larger query). Rows are only ever inserted, so a tally
never makes one transaction wait for another; ``tally_fold`` runs every minute
and folds each name's new rows into one.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import DecimalField, IntegerField, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from .locks import lock
from .models import Tally

ZERO = Decimal("0.00")
# names folded per transaction: a run's work is bounded, the next run takes the rest
FOLD_BATCH = 500


@dataclass(frozen=True)
class Change:
    name: str
    count: int = 0
    amount: Decimal = ZERO


@dataclass(frozen=True)
class Total:
    count: int = 0
    amount: Decimal = ZERO


def tally_add(changes: Iterable[Change]) -> None:
    """Record changes in the caller's transaction: one INSERT, whatever their number."""
    rows = [
        Tally(name=c.name, count=c.count, amount=c.amount) for c in changes if c.count or c.amount
    ]
    if rows:
        Tally.objects.bulk_create(rows)


def tally_read(names: Iterable[str]) -> dict[str, Total]:
    """The totals of these names, in one query (a name never changed is zero)."""
    names = list(names)
    rows = (
        Tally.objects.filter(name__in=names)
        .order_by()
        .values("name")
        .annotate(count=Sum("count"), amount=Sum("amount"))
    )
    found = {r["name"]: Total(r["count"], r["amount"]) for r in rows}
    return {name: found.get(name, Total()) for name in names}


def tally_sum(name: str, field: str = "count"):
    """One name's total as an expression, to read it inside another query."""
    output = IntegerField() if field == "count" else DecimalField(max_digits=16, decimal_places=2)
    total = (
        Tally.objects.filter(name=name)
        .order_by()
        .values("name")
        .annotate(total=Sum(field))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=output), Value(0), output_field=output)


def tally_fold() -> int:
    """Fold each name's new rows into one row; returns how many names were folded.

    The rows read are locked first: rows inserted meanwhile are not among them
    and stay for the next run, and a second fold running at once waits, then
    finds them gone, so nothing is counted twice. A name whose total is zero
    keeps no row at all.
    """
    folded = 0
    while True:
        with transaction.atomic():
            names = list(
                Tally.objects.filter(folded=False)
                .order_by("name")
                .values_list("name", flat=True)
                .distinct()[:FOLD_BATCH]
            )
            if not names:
                return folded
            (rows,) = lock(
                Tally.objects.filter(name__in=names)
                .order_by("pk")
                .values_list("pk", "name", "count", "amount")
            )
            totals: dict[str, list] = {}
            for _pk, name, count, amount in rows:
                total = totals.setdefault(name, [0, ZERO])
                total[0] += count
                total[1] += amount
            Tally.objects.filter(pk__in=[r[0] for r in rows]).delete()
            Tally.objects.bulk_create(
                Tally(name=name, count=count, amount=amount, folded=True)
                for name, (count, amount) in totals.items()
                if count or amount
            )
            folded += len(names)
        if len(names) < FOLD_BATCH:
            return folded
