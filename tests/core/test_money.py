"""Money formatting: the fast path reproduces Babel exactly, in every language."""

from decimal import Decimal

from babel.numbers import format_currency
from django.conf import settings
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from core.money import _locale, _rules, format_money

AMOUNTS = st.decimals(
    min_value=Decimal("-99999999999.99"),
    max_value=Decimal("99999999999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)
CURRENCIES = ["USD", "EUR", "CHF", "JPY", "INR", "SEK"]


@hypothesis_settings(max_examples=30, deadline=None)
@given(currency=st.sampled_from(CURRENCIES), amounts=st.lists(AMOUNTS, min_size=1, max_size=2))
def test_every_language_formats_as_babel_does(currency, amounts):
    for code, _name in settings.LANGUAGES:
        locale = _locale(code)
        rules = _rules(locale, currency)
        if rules is None:
            continue  # Babel formats every amount of this one
        for amount in amounts:
            amount = amount if amount else Decimal("0.00")  # Babel writes -0 with a sign
            assert rules.format(amount) == format_currency(amount, currency, locale=locale), (
                code,
                currency,
                amount,
            )


def test_most_languages_take_the_fast_path_and_the_others_keep_babel():
    fast = {code for code, _ in settings.LANGUAGES if _rules(_locale(code), "USD")}

    assert {"en", "de", "fr", "es", "it", "nl"} <= fast
    assert len(fast) > len(settings.LANGUAGES) // 2
    assert _rules(_locale("en"), "JPY") is None  # no cents: Babel writes every yen amount
    assert format_money("1234.5", language="en") == "$1,234.50"
    assert format_money(Decimal("-1234.5"), language="de") == format_currency(
        Decimal("-1234.50"), "USD", locale=_locale("de")
    )
