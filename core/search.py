"""Date ranges of list filters: days in the site's time zone, as bounds an index can use."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def filter_from_day(queryset, field: str, day: date | None):
    """Rows of ``field`` on or after ``day`` (midnight, site time)."""
    return queryset.filter(**{f"{field}__gte": day_start(day)}) if day else queryset


def filter_to_day(queryset, field: str, day: date | None):
    """Rows of ``field`` on or before ``day`` (until the next midnight, site time)."""
    if not day or day >= date.max - timedelta(days=1):
        return queryset
    return queryset.filter(**{f"{field}__lt": day_start(day + timedelta(days=1))})
