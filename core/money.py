"""Money as people read it: the installation's one currency, in the reader's locale.

The single place money is formatted, for pages (the ``money`` filter), emails and
Django admin alike. Babel holds the locale rules (symbol, its side, grouping,
decimal mark), so nothing here is written by hand.
"""

from decimal import Decimal
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency
from django.conf import settings
from django.utils import translation

CENT = Decimal("0.01")


@lru_cache(maxsize=32)
def _locale(language: str) -> Locale:
    try:
        return Locale.parse(translation.to_locale(language))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(translation.to_locale(settings.LANGUAGE_CODE))


def format_money(value, *, language: str | None = None) -> str:
    """1234.5 -> "$1,234.50" (en-us), "1.234,50 $" (de); "" for nothing.

    In the active language unless ``language`` says which.
    """
    if value is None or value == "":
        return ""
    amount = Decimal(value).quantize(CENT)
    locale = _locale(language or translation.get_language() or settings.LANGUAGE_CODE)
    return format_currency(amount, settings.CURRENCY_CODE, locale=locale)
