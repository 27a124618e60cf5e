"""Many lines at once: pasted from a spreadsheet or uploaded as CSV (orders.services.paste)."""

import contextlib
import time
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orders.models import Order
from orders.services.paste import (
    MAX_PASTED_LINES,
    MAX_UPLOAD_BYTES,
    PasteRefused,
    _split,
    paste_decode,
    paste_read,
    rows_merge,
)
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog():
    ProductFactory(sku="CHR-1001", unit_price=Decimal("10.00"))
    ProductFactory(sku="PAP-4001", unit_price=Decimal("2.00"))
    ProductFactory(sku="OLD-1", is_active=False)


def test_a_spreadsheet_copy_with_tabs_becomes_rows(catalog):
    result = paste_read(company_id=None, text="CHR-1001\t3\npap-4001\t10\n")

    assert result.rows == [{"sku": "CHR-1001", "quantity": 3}, {"sku": "PAP-4001", "quantity": 10}]
    assert result.problems == []


@pytest.mark.parametrize(
    "text",
    [
        "CHR-1001,3",
        "CHR-1001;3",
        "CHR-1001 3",
        "CHR-1001   3",
        '"CHR-1001","3"',
        "CHR-1001; 3",
        " CHR-1001\t3 ",
    ],
)
def test_commas_semicolons_spaces_and_quotes_all_separate(catalog, text):
    assert paste_read(company_id=None, text=text).rows == [{"sku": "CHR-1001", "quantity": 3}]


def test_a_header_row_names_the_columns_and_is_skipped(catalog):
    result = paste_read(company_id=None, text="Article;Description;Qty\nCHR-1001;Chair;3\n")

    assert result.rows == [{"sku": "CHR-1001", "quantity": 3}]
    assert result.problems == []
    assert result.notes == ["Line 1 was read as the column names."]


def test_blank_lines_are_skipped_and_line_numbers_stay_those_of_the_text(catalog):
    result = paste_read(company_id=None, text="\n\nCHR-1001\t3\n\n   \n;;\nNOPE-9\t1\n")

    assert result.rows == [{"sku": "CHR-1001", "quantity": 3}]
    assert [str(p) for p in result.problems] == ["Line 7: No product has the SKU NOPE-9."]


def test_bad_lines_get_the_words_of_typed_rows_and_go_back_for_fixing(catalog):
    result = paste_read(
        company_id=None, text="CHR-1001\t3\nOLD-1\t1\nPAP-4001\tabc\nPAP-4001\t0\nCHR-1001\n\t4"
    )

    assert [str(p) for p in result.problems] == [
        "Line 2: OLD-1 is no longer sold.",
        "Line 3: Quantity must be a whole number from 1 to 100,000.",
        "Line 4: Quantity must be a whole number from 1 to 100,000.",
        "Line 5: How many?",
        "Line 6: Which product?",
    ]
    assert result.unread_text == "OLD-1\t1\nPAP-4001\tabc\nPAP-4001\t0\nCHR-1001\n\t4"
    assert result.rows == [{"sku": "CHR-1001", "quantity": 3}]


def test_the_same_sku_twice_adds_up_and_says_so(catalog):
    result = paste_read(company_id=None, text="CHR-1001\t3\nPAP-4001\t1\nchr-1001\t5")

    assert result.rows == [{"sku": "CHR-1001", "quantity": 8}, {"sku": "PAP-4001", "quantity": 1}]
    assert result.notes == ["CHR-1001 is on lines 1, 3: the quantities are added up (8)."]


def test_added_up_beyond_the_limit_is_refused_on_each_line(catalog):
    result = paste_read(company_id=None, text="CHR-1001\t60000\nCHR-1001\t60000")

    assert result.rows == []
    assert [p.line for p in result.problems] == [1, 2]
    assert "at most 100,000 in all" in str(result.problems[0])


@pytest.mark.parametrize("cell", ["=SUM(A1:A3)", "+3", "-5", "@cmd", '=HYPERLINK("x")'])
def test_a_formula_is_refused_as_text_and_never_evaluated(catalog, cell):
    result = paste_read(company_id=None, text=f"CHR-1001\t{cell}\n{cell}\t2")

    assert result.rows == []
    assert len(result.problems) == 2
    assert all("spreadsheet formula" in str(p) for p in result.problems)


@pytest.mark.parametrize(("cell", "quantity"), [("1,000", 1000), ("1.000", 1000), ("3.00", 3)])
def test_quantities_as_spreadsheets_write_them(catalog, cell, quantity):
    assert paste_read(company_id=None, text=f"CHR-1001\t{cell}").rows == [
        {"sku": "CHR-1001", "quantity": quantity}
    ]


def test_more_than_a_thousand_lines_are_refused_whole(catalog):
    text = "\n".join(["CHR-1001\t1"] * (MAX_PASTED_LINES + 1))

    with pytest.raises(PasteRefused, match="1,001 lines is too many at once: at most 1,000"):
        paste_read(company_id=None, text=text)


def test_a_thousand_lines_are_read_quickly_in_one_query(django_assert_num_queries):
    for n in range(100):
        ProductFactory(sku=f"BULK-{n:04d}")
    text = "\n".join(f"BULK-{n % 120:04d}\t{n % 7 + 1}" for n in range(MAX_PASTED_LINES))

    started = time.perf_counter()
    with django_assert_num_queries(1):
        result = paste_read(company_id=None, text=text)
    elapsed = time.perf_counter() - started

    assert len(result.rows) == 100
    assert len(result.problems) == 8 * 20  # the 20 unknown SKUs, eight times each
    assert elapsed < 1.0


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"SKU;Menge\nCHR-1001;3\n", "SKU;Menge\nCHR-1001;3\n"),
        (b"\xef\xbb\xbfCHR-1001;3", "CHR-1001;3"),
        ("CHR-1001\t3\n".encode("utf-16"), "CHR-1001\t3\n"),
        ("Artikel;Größe\nCHR-1001;3".encode("cp1252"), "Artikel;Größe\nCHR-1001;3"),
    ],
)
def test_files_in_utf8_utf16_and_windows_1252_are_read(data, text):
    assert paste_decode(data) == text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04rest-of-a-zip", "spreadsheet file, not a CSV"),
        (b"CHR\x00\x00-1001", "not text"),
        (b"x" * (MAX_UPLOAD_BYTES + 1), "larger than"),
    ],
)
def test_spreadsheets_binaries_and_huge_files_are_refused_clearly(data, message):
    with pytest.raises(PasteRefused, match=message):
        paste_decode(data)


def test_pasted_rows_join_the_typed_ones_and_beyond_a_hundred_products_stay_out():
    typed = [{"sku": "A-1", "quantity": "2"}, {"sku": "", "quantity": ""}]
    added = [{"sku": "A-1", "quantity": 3}] + [{"sku": f"B-{n}", "quantity": 1} for n in range(100)]

    rows, left_out = rows_merge(typed, added)

    assert rows[0] == {"sku": "A-1", "quantity": 5}
    assert len([r for r in rows if r["sku"]]) == 100
    assert left_out == [{"sku": "B-99", "quantity": 1}]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=400))
def test_any_text_is_read_or_refused_never_crashes(text):
    try:
        read, problems, _notes = _split(text)
    except PasteRefused:
        return
    for entry in read:
        assert entry.sku and entry.sku == entry.sku.strip().upper()
        assert 1 <= entry.quantity <= 100_000
        assert not entry.sku.startswith(("=", "+", "-", "@"))
    for problem in problems:
        assert problem.line >= 1 and str(problem)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=300))
def test_any_bytes_are_decoded_or_refused(data):
    with contextlib.suppress(PasteRefused):
        assert isinstance(paste_decode(data), str)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.sampled_from(["CHR-1001", "PAP-4001", "chr-1001"]), st.integers(1, 500)),
        min_size=1,
        max_size=20,
    ),
    sep=st.sampled_from(["\t", ",", ";", " "]),
)
def test_good_lines_in_any_separator_add_up_per_product(rows, sep):
    # the catalog is made inside: Hypothesis runs the body many times in one test
    for sku in ("CHR-1001", "PAP-4001"):
        ProductFactory._meta.model.objects.get_or_create(
            sku=sku, defaults={"name": sku, "unit_price": Decimal("1.00")}
        )
    result = paste_read(company_id=None, text="\n".join(f"{s}{sep}{q}" for s, q in rows))

    expected: dict[str, int] = {}
    for sku, quantity in rows:
        expected[sku.upper()] = expected.get(sku.upper(), 0) + quantity
    assert {r["sku"]: r["quantity"] for r in result.rows} == expected
    assert result.problems == []


# --- on the order form ---------------------------------------------------------


def _paste(client, text="", upload=None, rows=()):
    data = {"action": "paste", "paste": text, "lines-TOTAL_FORMS": str(len(rows))}
    for i, (sku, quantity) in enumerate(rows):
        data[f"lines-{i}-sku"] = sku
        data[f"lines-{i}-quantity"] = quantity
    if upload is not None:
        data["upload"] = upload
    return client.post(reverse("orders:create"), data)


def test_pasted_lines_become_rows_and_bad_ones_are_listed_by_line(client, buyer, catalog):
    client.force_login(buyer)

    response = _paste(client, "CHR-1001\t3\nNOPE-1\t2\nPAP-4001\t10", rows=[("PAP-4001", "1")])

    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="CHR-1001"' in body and 'value="PAP-4001"' in body
    assert 'value="11"' in body  # typed 1 + pasted 10
    assert "Line 2: No product has the SKU NOPE-1." in body
    assert ">NOPE-1\t2</textarea>" in body  # back in the box to fix
    assert "2 lines added" in body
    assert not Order.objects.exists()  # nothing placed until the buyer says so


def test_a_csv_upload_in_utf16_becomes_rows(client, buyer, catalog):
    client.force_login(buyer)
    upload = SimpleUploadedFile("order.csv", "SKU\tQty\nCHR-1001\t4\n".encode("utf-16"))

    response = _paste(client, upload=upload)

    body = response.content.decode()
    assert 'value="CHR-1001"' in body and 'value="4"' in body
    assert "Line 1 was read as the column names." in body


def test_an_xlsx_upload_is_refused_with_a_message_and_the_rows_stay(client, buyer, catalog):
    client.force_login(buyer)
    upload = SimpleUploadedFile("order.xlsx", b"PK\x03\x04xxxx")

    response = _paste(client, upload=upload, rows=[("CHR-1001", "2")])

    body = response.content.decode()
    assert response.status_code == 200
    assert "save it as CSV" in body
    assert 'value="CHR-1001"' in body


def test_pasting_nothing_says_what_to_do(client, buyer):
    client.force_login(buyer)

    response = _paste(client, "  \n ")

    assert "Paste some lines or choose a file first." in response.content.decode()


def test_pasting_a_thousand_lines_answers_in_constant_queries(
    client, buyer, django_assert_max_num_queries
):
    for n in range(100):
        ProductFactory(sku=f"BULK-{n:04d}")
    text = "\n".join(f"BULK-{n % 100:04d}\t1" for n in range(MAX_PASTED_LINES))
    client.force_login(buyer)

    started = time.perf_counter()
    with django_assert_max_num_queries(12):
        response = _paste(client, text)
    elapsed = time.perf_counter() - started

    assert response.status_code == 200
    assert response.content.decode().count('value="10"') == 100
    assert elapsed < 3.0
