"""Money as people read it, in the installation's one currency."""

from decimal import Decimal

from django.conf import settings

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}
CENT = Decimal("0.01")


def format_money(value) -> str:
    """1234.5 -> "$1,234.50" in the installation's currency; "" for nothing."""
    if value is None or value == "":
        return ""
    amount = Decimal(value).quantize(CENT)
    sign = "-" if amount < 0 else ""
    symbol = _SYMBOLS.get(settings.CURRENCY_CODE)
    formatted = f"{abs(amount):,.2f}"
    if symbol:
        return f"{sign}{symbol}{formatted}"
    return f"{sign}{formatted} {settings.CURRENCY_CODE}"
