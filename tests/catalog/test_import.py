"""Products imported and exported in Django admin (django-import-export)."""

import csv
import io

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
