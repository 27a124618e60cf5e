"""Money as people read it: the installation's one currency, in the reader's locale.

The single place money is formatted, for pages (the ``money`` filter), emails and
Django admin alike. Babel holds the locale rules (symbol, its side, grouping,
decimal mark), so nothing here is written by hand.

A list page formats dozens of amounts: Babel reads its pattern for each one. Once
per locale, the rules Babel applies are read off a probe it formats (prefix,
grouping mark, decimal mark, suffix, for positive and negative amounts) and kept
only if they reproduce Babel's output for a set of probes; then amounts are
formatted with Python's own grouping. A locale they do not reproduce (another
digit system, grouping in lakhs) keeps Babel for every amount.
"""

from dataclasses import dataclass
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


PROBE = Decimal("1234567.89")
CHECKS = [Decimal(v) for v in ("0", "0.05", "1", "12.50", "999.99", "1000", "123456.70", "-5")]
CHECKS += [Decimal("-1234.56"), Decimal("99999999.99"), Decimal("-0.01")]


@dataclass(frozen=True)
class _Rules:
    prefix: str
    suffix: str
    negative_prefix: str
    negative_suffix: str
    group: str
    decimal: str

    def format(self, amount: Decimal) -> str:
        digits = f"{abs(amount):,.2f}"
        if self.group != "," or self.decimal != ".":
            digits = digits.replace(",", "\0").replace(".", self.decimal).replace("\0", self.group)
        if amount < 0:
            return f"{self.negative_prefix}{digits}{self.negative_suffix}"
        return f"{self.prefix}{digits}{self.suffix}"


def _read_off(formatted: str) -> tuple[str, str, str, str] | None:
    """(prefix, group mark, decimal mark, suffix) of Babel's ``PROBE``, if it is there."""
    start, end = formatted.find("1"), formatted.rfind("9")
    if start < 0 or end < 0:
        return None
    body = formatted[start : end + 1]
    if len(body) != len("1,234,567.89"):
        return None
    return formatted[:start], body[1], body[-3], formatted[end + 1 :]


@lru_cache(maxsize=64)
def _rules(locale: Locale, currency: str) -> _Rules | None:
    positive = _read_off(format_currency(PROBE, currency, locale=locale))
    negative = _read_off(format_currency(-PROBE, currency, locale=locale))
    if positive is None or negative is None or positive[1:3] != negative[1:3]:
        return None
    rules = _Rules(positive[0], positive[3], negative[0], negative[3], positive[1], positive[2])
    for amount in CHECKS:
        if rules.format(amount) != format_currency(amount, currency, locale=locale):
            return None
    return rules


def format_money(value, *, language: str | None = None) -> str:
    """1234.5 -> "$1,234.50" (en-us), "1.234,50 $" (de); "" for nothing.

    In the active language unless ``language`` says which.
    """
    if value is None or value == "":
        return ""
    amount = Decimal(value).quantize(CENT)
    locale = _locale(language or translation.get_language() or settings.LANGUAGE_CODE)
    rules = _rules(locale, settings.CURRENCY_CODE)
    if rules is None:
        return format_currency(amount, settings.CURRENCY_CODE, locale=locale)
    return rules.format(amount)
