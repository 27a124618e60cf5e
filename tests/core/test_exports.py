"""Cells of a CSV export: a spreadsheet never runs one as a formula."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from core.exports import export_query, safe_cell


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Acme = best", "Acme = best"),
        ("", ""),
        (None, ""),
        (3, "3"),
        (Decimal("12.50"), "12.50"),
        (datetime(2026, 11, 30, 9, 5, tzinfo=UTC), "2026-11-30 09:05"),
    ],
)
def test_safe_cell(value, cell):
    assert safe_cell(value) == cell


def test_the_export_link_drops_only_the_page_number():
    from django.http import QueryDict

    assert export_query(QueryDict("status=approved&page=3&mine=true")) == (
        "status=approved&mine=true"
    )
