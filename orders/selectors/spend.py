"""What companies spent: the month against budgets and limits, and the volume across
companies for the staff dashboard."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Sum
from django.utils import timezone

from companies.models import User

from ..models import Order, OrderStatus
from ..services.spend import spend_read

# Orders that count as spent: cancelled and rejected ones never will be.
SPEND_EXCLUDED_STATUSES = (OrderStatus.CANCELLED, OrderStatus.REJECTED)


def month_start(*, now: datetime | None = None) -> datetime:
    """Midnight of the first day of this month in the site's time zone."""
    local = timezone.localtime(now or timezone.now())
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def order_spend_this_month(*, company_id: int, now: datetime | None = None) -> Decimal:
    """What the company ordered this month (site time zone), cancelled and rejected left out.

    The running total the order services keep (``orders.services.spend``): one
    row, whatever the month's orders.
    """
    return spend_read(company_id=company_id, at=now).get(None, Decimal("0.00"))


@dataclass(frozen=True)
class BudgetUse:
    """This month's spend against a budget or a limit (``cap`` None: there is none)."""

    spent: Decimal
    cap: Decimal | None

    @property
    def percent(self) -> int | None:
        return None if not self.cap else min(999, int(self.spent * 100 / self.cap))

    @property
    def left(self) -> Decimal | None:
        return None if self.cap is None else self.cap - self.spent


def order_budget_use(*, user: User) -> tuple[BudgetUse, BudgetUse]:
    """The company's month against its budget, and the person's against their limit. One
    query (the two running totals)."""
    totals = spend_read(company_id=user.company_id, buyer_id=user.pk)
    zero = Decimal("0.00")
    return (
        BudgetUse(totals.get(None, zero), user.company.monthly_budget),
        BudgetUse(totals.get(user.pk, zero), user.monthly_limit),
    )


VOLUME_CACHE_SECONDS = 300
VOLUME_DAYS = 30
# The dashboard shows the biggest companies; every row is rendered on every visit, so
# all 10,000 companies of a large installation cost half a second per page.
VOLUME_ROWS = 20


def order_volume_by_company(*, days: int = VOLUME_DAYS, limit: int = VOLUME_ROWS) -> list[dict]:
    """Orders and their value per company over the last ``days`` days, the ``limit`` biggest.

    The only aggregate across companies; kept in the cache for a few minutes so
    the staff dashboard does not re-read a month of orders on every visit.
    """
    key = f"dashboard:order-volume:{days}:{limit}"
    rows = cache.get(key)
    if rows is None:
        since = timezone.now() - timedelta(days=days)
        rows = list(
            Order.objects.filter(created_at__gte=since)
            .exclude(status__in=SPEND_EXCLUDED_STATUSES)
            .order_by()
            .values("company_id", "company__name")
            .annotate(orders=Count("id"), value=Sum("total"))
            .order_by("-value", "company__name")[:limit]
        )
        cache.set(key, rows, VOLUME_CACHE_SECONDS)
    return rows
