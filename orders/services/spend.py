"""What companies and buyers spent this month: running totals the order services keep.

Every change that moves an order's counted amount (placing, editing, cancelling,
rejecting; see ``SPENT_STATUSES``) adds its difference to two ``MonthlySpend``
rows, the company's and the buyer's, in the same transaction, with one
statement. Routing an order whose company has a budget (or whose buyer has a
limit) locks the two rows first and reads them: two orders placed at once meet
on that lock, so they cannot both slip under a budget.

The rows are locked after the order (``core.locks.LOCK_ORDER``): a change of an
order writes them under its order's lock; a new order, which nobody else can see
yet, reads them before it is inserted.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from core.locks import lock_noted

from ..models import SPENT_STATUSES, MonthlySpend, Order

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Spend:
    """A month's spend before an order, the company's and its buyer's, and their caps."""

    month: date
    company_total: Decimal = ZERO
    buyer_total: Decimal = ZERO
    company_budget: Decimal | None = None
    buyer_limit: Decimal | None = None

    def without(self, amount: Decimal) -> "Spend":
        """The same month with an order's own amount taken out (an order being edited)."""
        return Spend(
            self.month,
            self.company_total - amount,
            self.buyer_total - amount,
            self.company_budget,
            self.buyer_limit,
        )


def spend_month(at: datetime | None = None) -> date:
    """The month an order counts in: its first day, in the site's time zone."""
    return timezone.localdate(at or timezone.now()).replace(day=1)


def counted(order: Order) -> Decimal:
    """What an order adds to its month: its total while it may still be bought."""
    return order.total if order.status in SPENT_STATUSES else ZERO


def has_caps(order: Order) -> bool:
    """Whether a budget or a limit applies to the order (else nothing needs a lock)."""
    return order.company.monthly_budget is not None or order.placed_by.monthly_limit is not None


def _add(order: Order, amount: Decimal) -> dict[int | None, Decimal]:
    """Add ``amount`` to the company's and the buyer's row of the order's month (made if
    missing) in one statement; returns the rows' totals, which it holds locked."""
    table = MonthlySpend._meta.db_table
    month = spend_month(order.created_at)
    lock_noted(MonthlySpend)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (company_id, buyer_id, month, total) "  # noqa: S608
            "VALUES (%s, NULL, %s, %s), (%s, %s, %s, %s) "
            "ON CONFLICT (company_id, COALESCE(buyer_id, 0), month) "
            f"DO UPDATE SET total = {table}.total + EXCLUDED.total "
            "RETURNING buyer_id, total",
            [order.company_id, month, amount, order.company_id, order.placed_by_id, month, amount],
        )
        return dict(cursor.fetchall())


def spend_lock(*, order: Order) -> Spend:
    """Lock the order's two month rows and read them, before routing it. One statement."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("spend_lock needs the caller's transaction.")
    totals = _add(order, ZERO)
    return Spend(
        month=spend_month(order.created_at),
        company_total=totals.get(None, ZERO),
        buyer_total=totals.get(order.placed_by_id, ZERO),
        company_budget=order.company.monthly_budget,
        buyer_limit=order.placed_by.monthly_limit,
    )


def spend_peek(*, order: Order) -> Spend:
    """The order's month so far without a lock: for a preview, which decides nothing."""
    totals = spend_read(
        company_id=order.company_id, buyer_id=order.placed_by_id, at=order.created_at
    )
    return Spend(
        month=spend_month(order.created_at),
        company_total=totals.get(None, ZERO),
        buyer_total=totals.get(order.placed_by_id, ZERO),
        company_budget=order.company.monthly_budget,
        buyer_limit=order.placed_by.monthly_limit,
    )


def spend_add(*, order: Order, amount: Decimal) -> None:
    """Add ``amount`` (negative to take away) to the order's month, company and buyer."""
    if amount:
        _add(order, amount)


def spend_read(*, company_id: int, buyer_id: int | None = None, at=None) -> dict:
    """The month so far without a lock (previews, dashboards): {None: company, id: buyer}."""
    month = spend_month(at)
    rows = MonthlySpend.objects.filter(company_id=company_id, month=month)
    rows = rows.filter(buyer_id__in=[buyer_id]) | rows.filter(buyer__isnull=True)
    return dict(rows.values_list("buyer_id", "total"))
