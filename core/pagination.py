"""Pages that never count the whole table.

Django's Paginator runs ``COUNT(*)`` over the full queryset on every page view,
which grows with the order book. Lists here fetch one row more than a page to
know whether a next page exists, and link "newer" / "older" instead of
numbering every page.
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings


@dataclass
class Page:
    object_list: list[Any]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def paginate(queryset, page: str | int | None, per_page: int | None = None) -> Page:
    per_page = per_page or settings.PAGE_SIZE
    try:
        number = max(1, int(page or 1))
    except (TypeError, ValueError):
        number = 1
    number = min(number, 10_000)
    offset = (number - 1) * per_page
    rows = list(queryset[offset : offset + per_page + 1])
    return Page(object_list=rows[:per_page], number=number, has_next=len(rows) > per_page)


@dataclass(frozen=True)
class BoundedCount:
    """A count shown up to a bound: "99+" past it."""

    count: int
    more: bool

    def __str__(self) -> str:
        return f"{self.count}+" if self.more else str(self.count)


def bounded_count(queryset, bound: int) -> BoundedCount:
    """Count at most ``bound`` + 1 rows: a number that cannot grow with the table."""
    n = queryset.order_by()[: bound + 1].count()
    return BoundedCount(count=min(n, bound), more=n > bound)
