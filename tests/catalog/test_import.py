"""Products imported and exported in Django admin (django-import-export)."""

import csv
import io
from decimal import Decimal

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.models import Product
from catalog.resources import ProductResource
from tests.factories import BareStaffFactory, ProductFactory, StaffFactory

pytestmark = pytest.mark.django_db

IMPORT = "admin:catalog_product_import"
CONFIRM = "admin:catalog_product_process_import"
EXPORT = "admin:catalog_product_export"

GOOD = (
    "sku,name,description,unit_price,is_active\n"
    "bolt-m8 ,Bolt M8,Zinc plated,0.25,1\n"
    "NUT-M8,Nut M8,,0.10,1\n"
)


def upload(client, text: str):
    return client.post(
        reverse(IMPORT),
        {
            "format": "0",
            "import_file": SimpleUploadedFile("products.csv", text.encode(), "text/csv"),
        },
    )


def test_a_good_file_is_previewed_then_imported_on_confirmation(client):
    existing = ProductFactory(sku="NUT-M8", name="Old nut", unit_price="0.12")
    client.force_login(StaffFactory())

    preview = upload(client, GOOD)

    # the preview: what would change, nothing saved yet
    assert preview.status_code == 200
    result = preview.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert [row.import_type for row in result.rows] == ["new", "update"]
    assert not Product.objects.filter(sku="BOLT-M8").exists()
    confirm = preview.context["confirm_form"].initial

    response = client.post(reverse(CONFIRM), confirm)

    assert response.status_code == 302
    bolt = Product.objects.get(sku="BOLT-M8")  # spaces trimmed, upper case, as the form does
    assert (bolt.name, str(bolt.unit_price), bolt.is_active) == ("Bolt M8", "0.25", True)
    existing.refresh_from_db()
    assert (existing.name, str(existing.unit_price)) == ("Nut M8", "0.10")


def test_a_file_with_a_bad_row_shows_that_rows_error_and_saves_nothing(client):
    client.force_login(StaffFactory())
    bad = GOOD + "WASHER-M8,Washer M8,,-1.00,1\n"

    response = upload(client, bad)

    assert response.status_code == 200
    result = response.context["result"]
    assert result.has_validation_errors()
    (invalid,) = result.invalid_rows
    assert invalid.number == 3
    assert "unit_price" in invalid.error_dict
    assert "greater than or equal to 0" in " ".join(invalid.error_dict["unit_price"])
    page = response.content.decode()
    assert "greater than or equal to 0" in page and "Nothing was imported" in page
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None
    assert reverse(CONFIRM) not in page  # no way to confirm a file with errors
    assert not Product.objects.exists()


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ("NUT-M8,Another nut,,0.10,1", "sku", "already on row 2"),
        (",No SKU,,1.00,1", "sku", "required"),
        ("CTRL\x07SKU,Bell,,1.00,1", "sku", "printable"),
        ("WASHER,,,1.00,1", "name", "blank"),
        ("WASHER,Washer,,abc,1", "unit_price", "Enter a number"),
        ("WASHER,Washer,,NaN,1", "unit_price", "Enter a number"),
        ("WASHER,Washer,,1.234,1", "unit_price", "decimal places"),
        ("X" * 41 + ",Long,,1.00,1", "sku", "at most 40"),
    ],
)
def test_each_kind_of_bad_row_is_named_on_its_row(row, field, message):
    dataset = tablib.Dataset().load(GOOD + row + "\n", format="csv")

    result = ProductResource().import_data(dataset, dry_run=False)

    assert result.has_validation_errors()
    (invalid,) = result.invalid_rows
    assert invalid.number == 3
    assert message in " ".join(invalid.error_dict[field])
    assert not Product.objects.exists()  # the good rows were rolled back with it


def test_a_product_already_in_the_catalog_is_matched_by_its_sku_in_any_case():
    ProductFactory(sku="BOLT-M8", name="Bolt", unit_price="0.20")
    dataset = tablib.Dataset().load("sku,name,unit_price,is_active\nbolt-m8,Bolt,0.30,1\n")

    result = ProductResource().import_data(dataset, dry_run=False)

    assert not result.has_validation_errors()
    assert str(Product.objects.get().unit_price) == "0.30"


def test_products_export_as_csv_with_formulas_neutralised(client):
    ProductFactory(sku="A-1", name='=HYPERLINK("http://evil.example")', unit_price="2.50")
    client.force_login(StaffFactory())

    response = client.post(
        reverse(EXPORT),
        {
            "format": "0",
            **{f"productresource_{name}": "on" for name in ProductResource._meta.fields},
        },
    )

    assert response.status_code == 200
    (row,) = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    assert row["sku"] == "A-1"
    assert row["name"] == '\'=HYPERLINK("http://evil.example")'
    assert row["unit_price"] == "2.50"


def test_staff_without_product_permissions_cannot_import(client):
    client.force_login(BareStaffFactory())

    assert client.get(reverse(IMPORT)).status_code == 403
    assert upload(client, GOOD).status_code == 403
    assert not Product.objects.exists()


# --- the category column --------------------------------------------------------


def _import(text: str):
    return ProductResource().import_data(tablib.Dataset().load(text, format="csv"), dry_run=False)


def test_a_category_is_matched_by_name_or_slug_and_keeps_the_catalogs_spelling():
    ProductFactory(sku="OLD-1", category="Office supplies")

    result = _import(
        "sku,name,category,unit_price\n"
        "PEN-1,Pen,office   SUPPLIES,1.00\n"
        "PEN-2,Pencil,office-supplies,1.00\n"
        "BOLT-1,Bolt,Fasteners,0.25\n"
        "BOLT-2,Nut,FASTENERS,0.10\n"
        "BARE-1,Bare,,1.00\n"
    )

    assert not result.has_errors() and not result.has_validation_errors()
    assert dict(Product.objects.values_list("sku", "category")) == {
        "OLD-1": "Office supplies",
        "PEN-1": "Office supplies",
        "PEN-2": "Office supplies",
        "BOLT-1": "Fasteners",  # a new category, spelled as its first row has it
        "BOLT-2": "Fasteners",
        "BARE-1": "",
    }


@pytest.mark.parametrize(
    "category", ["C" * 61, "Office\x07supplies", '"Tools\x00"'], ids=["long", "bell", "nul"]
)
def test_a_category_that_cannot_be_one_is_its_rows_error_and_nothing_is_imported(category):
    ProductFactory(sku="NUT-M8", name="Nut", category="Fasteners", unit_price=Decimal("0.10"))

    result = _import(
        f"sku,name,category,unit_price\nBOLT-M8,Bolt,Fasteners,0.25\nNUT-M8,Nut,{category},0.12\n"
    )

    assert result.has_validation_errors()
    (invalid,) = result.invalid_rows
    assert invalid.number == 2
    assert "A category is at most 60 printable characters." in invalid.error_dict["category"]
    assert list(Product.objects.values_list("sku", "category", "unit_price")) == [
        ("NUT-M8", "Fasteners", Decimal("0.10"))
    ]


def test_a_file_without_the_category_column_leaves_categories_as_they_are():
    ProductFactory(sku="NUT-M8", name="Nut", category="Fasteners", unit_price=Decimal("0.10"))

    result = _import("sku,name,unit_price\nNUT-M8,Nut,0.12\n")

    assert not result.has_validation_errors()
    assert Product.objects.values_list("category", "unit_price").get() == (
        "Fasteners",
        Decimal("0.12"),
    )


def test_the_export_has_the_category_column_and_reads_back_as_it_was(client):
    ProductFactory(sku="A-1", name="Chair", category="Furniture", unit_price=Decimal("45.00"))
    ProductFactory(sku="A-2", name="Odd", category="=cmd|' /C calc'!A0", unit_price=Decimal(1))
    client.force_login(StaffFactory())

    response = client.post(
        reverse(EXPORT),
        {
            "format": "0",
            **{f"productresource_{name}": "on" for name in ProductResource._meta.fields},
        },
    )
    exported = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(exported)))
    again = _import(exported)

    assert list(rows[0]) == ["sku", "name", "description", "category", "unit_price", "is_active"]
    assert [(r["sku"], r["category"]) for r in rows] == [
        ("A-1", "Furniture"),
        ("A-2", "'=cmd|' /C calc'!A0"),
    ]
    assert not again.has_validation_errors()
    assert Product.objects.get(sku="A-1").category == "Furniture"
