"""The one door for prices and visibility (``catalog.pricing``).

Every place a price reaches a buyer, and the test here that shows it asks the door:

- the catalog page (the unit price column) ........... test_the_catalog_page_*
- SKU suggestions (which products are offered) ....... test_suggestions_*
- the order form: prefilled rows, the live preview of
  a row, its line total and the order total .......... test_the_order_form_*
- paste and CSV upload (which SKUs are known) ........ test_a_paste_*
- placing and editing an order (the lines' snapshot),
  and the approvers' email (the order's total) ....... test_an_order_*
- requisition lists (unit price, line totals, total) . test_a_requisition_list_*
- quotes: the catalog price column, the totals at
  catalog prices and as requested, a revision's
  snapshot, the desk's offer form, an acceptance as
  asked, the quote list's CSV, the webhook's
  requested total ...................................... test_a_quote_*
- the API: products and a quote's catalog prices ..... test_the_api_*

A test-only rule, added for one company, swaps the door's answer (a price with a
quantity break, a product hidden); each place must show it to that company's
people, and only to them. And a scan of the code and templates fails on any
read of a product's ``unit_price`` outside the door and a short list of
seller-side places.
"""

import ast
import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from approvals.models import ApprovalTier
from catalog.pricing import CatalogRule, Price, catalog_rule_add, price_for, products_visible_to
from core.money import format_money
from notifications.kinds import webhook_event_values
from notifications.models import Notification, WebhookDelivery, WebhookEndpoint
from orders.services import LineRequest, order_edit, order_place
from quotations.models import QuoteStatus
from quotations.notify import QUOTE_REQUESTED_EVENT
from quotations.services import quote_accept_as_requested
from tests.api.conftest import token_client
from tests.factories import BuyerFactory, CompanyFactory, ProductFactory
from tests.quotations.factories import DeskStaffFactory, request_quote
from tests.requisitions.factories import make_list

ROOT = Path(__file__).resolve().parent.parent.parent

pytestmark = pytest.mark.django_db

LIST = Decimal("10.00")
BELOW_BREAK = Decimal("7.77")
FROM_BREAK = Decimal("6.50")  # from 10 units


class AgreedPrices(CatalogRule):
    """A test-only agreement of one company: one product at 7.77, 6.50 from 10 units;
    one product it does not see."""

    def __init__(self, company_id: int, product, hidden):
        self.company_id, self.product, self.hidden = company_id, product, hidden

    def prices(self, *, baskets, on):
        answers = {}
        for key, basket in baskets.items():
            if basket.company_id != self.company_id:
                continue
            for item in basket.items:
                if item.product.pk == self.product.pk:
                    unit = FROM_BREAK if item.quantity >= 10 else BELOW_BREAK
                    answers.setdefault(key, {})[item.product.pk] = Price(unit, "agreed", "Agreed")
        return answers

    def visible(self, *, company_id, products):
        if company_id != self.company_id:
            return products
        return products.exclude(pk=self.hidden.pk)


class World:
    def __init__(self):
        self.company = CompanyFactory()
        self.buyer = BuyerFactory(company=self.company)
        self.other = BuyerFactory(company=CompanyFactory())
        self.agreed = ProductFactory(sku="AGR-100", name="Agreed bolts", unit_price=LIST)
        self.hidden = ProductFactory(sku="AGR-HID", name="Hidden bolts", unit_price=LIST)
        self.plain = ProductFactory(sku="PLN-200", name="Plain nuts", unit_price=Decimal("4.00"))


@pytest.fixture
def world():
    world = World()
    remove = catalog_rule_add(AgreedPrices(world.company.pk, world.agreed, world.hidden))
    yield world
    remove()


def money(amount) -> str:
    return format_money(Decimal(amount))


# --- the door itself --------------------------------------------------------------


def test_the_door_answers_the_list_price_without_a_rule_and_without_a_query(
    django_assert_num_queries,
):
    products = [ProductFactory(unit_price=Decimal("12.30")), ProductFactory(unit_price=Decimal(0))]

    with django_assert_num_queries(0):
        prices = price_for(company_id=None, items=[(p, 3) for p in products])

    assert prices == {
        products[0].pk: Price(Decimal("12.30")),
        products[1].pk: Price(Decimal("0.00")),
    }
    assert prices[products[0].pk].source == "list"
    assert prices[products[0].pk].total(3) == Decimal("36.90")


def test_a_product_twice_is_priced_at_its_quantities_added_up(world):
    prices = price_for(company_id=world.company.pk, items=[(world.agreed, 6), (world.agreed, 4)])

    assert prices[world.agreed.pk].unit_price == FROM_BREAK


def test_a_rule_answers_for_its_company_only_and_the_list_price_for_the_rest(world):
    mine = price_for(company_id=world.company.pk, items=[(world.agreed, 1), (world.plain, 1)])
    theirs = price_for(company_id=world.other.company_id, items=[(world.agreed, 1)])
    nobody = price_for(company_id=None, items=[(world.agreed, 1)])

    assert (mine[world.agreed.pk].unit_price, mine[world.agreed.pk].source) == (
        BELOW_BREAK,
        "agreed",
    )
    assert mine[world.plain.pk] == Price(Decimal("4.00"))
    assert theirs[world.agreed.pk] == nobody[world.agreed.pk] == Price(LIST)


class Fixed(CatalogRule):
    def __init__(self, answers: dict):
        self.answers = answers

    def prices(self, *, baskets, on):
        return {
            key: {pk: Price(Decimal(v), "fixed") for pk, v in self.answers.items()}
            for key in baskets
        }


def test_the_first_rule_to_price_a_product_decides_and_answers_not_asked_for_are_ignored():
    a, b, c = (ProductFactory(unit_price=Decimal("9.00")) for _ in range(3))
    first = catalog_rule_add(Fixed({a.pk: "1.00"}))
    second = catalog_rule_add(Fixed({a.pk: "2.00", b.pk: "3.00", c.pk: "4.00"}))
    try:
        prices = price_for(company_id=None, items=[(a, 1), (b, 1)])
    finally:
        first(), second()

    assert {pk: p.unit_price for pk, p in prices.items()} == {
        a.pk: Decimal("1.00"),
        b.pk: Decimal("3.00"),
    }
    assert price_for(company_id=None, items=[(a, 1)])[a.pk] == Price(Decimal("9.00"))


def test_visibility_is_the_active_products_less_what_a_rule_hides(world):
    withdrawn = ProductFactory(is_active=False)

    mine = set(products_visible_to(company_id=world.company.pk))
    theirs = set(products_visible_to(company_id=world.other.company_id))
    mine_with_withdrawn = set(products_visible_to(company_id=world.company.pk, withdrawn=True))

    assert mine == {world.agreed, world.plain}
    assert theirs == {world.agreed, world.hidden, world.plain}
    assert mine_with_withdrawn == {world.agreed, world.plain, withdrawn}


# --- every place a buyer sees a price -----------------------------------------------


def test_the_catalog_page_shows_the_companys_price_and_only_what_it_may_see(client, world):
    client.force_login(world.buyer)
    mine = client.get(reverse("catalog:list")).content.decode()
    client.force_login(world.other)
    theirs = client.get(reverse("catalog:list")).content.decode()

    assert money(BELOW_BREAK) in mine and "AGR-HID" not in mine
    assert money(LIST) in theirs and money(BELOW_BREAK) not in theirs and "AGR-HID" in theirs


def test_suggestions_offer_only_what_the_company_may_see(client, world):
    client.force_login(world.buyer)
    mine = client.get(reverse("catalog:suggest"), {"q": "AGR"}).content.decode()
    client.force_login(world.other)
    theirs = client.get(reverse("catalog:suggest"), {"q": "AGR"}).content.decode()

    assert "AGR-100" in mine and "AGR-HID" not in mine
    assert "AGR-100" in theirs and "AGR-HID" in theirs


def _preview(client, rows, row=0):
    data = {"row": row, "lines-TOTAL_FORMS": len(rows)}
    for i, (sku, quantity) in enumerate(rows):
        data[f"lines-{i}-sku"], data[f"lines-{i}-quantity"] = sku, quantity
    return client.get(reverse("orders:line_preview"), data).content.decode()


def test_the_order_form_shows_the_companys_price_at_the_quantity_typed(client, world):
    client.force_login(world.buyer)

    prefilled = client.get(reverse("orders:create"), {"sku": "AGR-100"}).content.decode()
    below = _preview(client, [("AGR-100", "2"), ("PLN-200", "1")])
    from_break = _preview(client, [("AGR-100", "12"), ("PLN-200", "1")])
    hidden = _preview(client, [("AGR-HID", "1")])

    assert f"{money(BELOW_BREAK)} each" in prefilled
    assert f"{money(BELOW_BREAK)} each" in below and money("15.54") in below
    assert money("19.54") in below  # the order's total: 2 × 7.77 + 4.00
    assert f"{money(FROM_BREAK)} each" in from_break and money("78.00") in from_break
    assert money("82.00") in from_break
    assert "No product has the SKU AGR-HID." in hidden


def test_the_order_form_of_another_company_shows_the_list_price(client, world):
    client.force_login(world.other)

    preview = _preview(client, [("AGR-100", "12")])

    assert f"{money(LIST)} each" in preview and money("120.00") in preview
    assert money(FROM_BREAK) not in preview


def test_a_paste_does_not_know_a_product_the_company_may_not_see(client, world):
    client.force_login(world.buyer)

    body = client.post(
        reverse("orders:create"),
        {"action": "paste", "paste": "AGR-100\t12\nAGR-HID\t1", "lines-TOTAL_FORMS": "0"},
    ).content.decode()

    assert 'value="AGR-100"' in body and "Line 2: No product has the SKU AGR-HID." in body
    assert money("78.00") in body  # the pasted row, priced at 12


def test_an_order_is_placed_and_edited_at_the_companys_prices(world):
    ApprovalTier.objects.create(
        company=world.company, approver=BuyerFactory(company=world.company), minimum=50
    )

    order = order_place(buyer=world.buyer, lines=[LineRequest("AGR-100", 12)])
    placed = [(line.unit_price, line.line_total) for line in order.lines.all()]
    order = order_edit(
        order_id=order.pk,
        actor=world.buyer,
        lines=[LineRequest("AGR-100", 9), LineRequest("PLN-200", 1)],
        seen_version=order.version,
    )

    assert placed == [(FROM_BREAK, Decimal("78.00"))]
    assert sorted((line.unit_price, line.line_total) for line in order.lines.all()) == [
        (Decimal("4.00"), Decimal("4.00")),
        (BELOW_BREAK, Decimal("69.93")),
    ]
    assert order.total == Decimal("73.93")
    subjects = list(Notification.objects.values_list("subject", flat=True))
    assert any(money("78.00") in s for s in subjects) and any(money("73.93") in s for s in subjects)


def test_an_order_for_a_product_the_company_may_not_see_is_refused(world):
    from core.domain import InvalidInput

    with pytest.raises(InvalidInput) as refused:
        order_place(buyer=world.buyer, lines=[LineRequest("AGR-HID", 1)])

    assert refused.value.errors == {"AGR-HID": ["No product has the SKU AGR-HID."]}


def test_a_requisition_list_is_totalled_at_the_companys_prices(client, world):
    requisition = make_list(world.buyer, (world.agreed, 12), (world.plain, 2))
    client.force_login(world.buyer)

    body = client.get(reverse("requisitions:detail", args=[requisition.pk])).content.decode()

    assert money(FROM_BREAK) in body and money("78.00") in body
    assert f'<span id="requisition-total">{money("86.00")}</span>' in body


def _export(client) -> list[dict]:
    body = b"".join(client.get(reverse("quotations:export")).streaming_content)
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_a_quote_shows_and_keeps_the_companys_catalog_price(client, world):
    WebhookEndpoint.objects.create(
        name="ERP", url="http://127.0.0.1:9/", secret="s", events=webhook_event_values()
    )
    quote = request_quote(world.buyer, (world.agreed, 12), (world.plain, 2, "3.00"))
    client.force_login(world.buyer)

    page = client.get(reverse("quotations:detail", args=[quote.number])).content.decode()
    exported = _export(client)
    revision = quote.revisions.get()
    requested = WebhookDelivery.objects.get(event=QUOTE_REQUESTED_EVENT)

    assert money(FROM_BREAK) in page
    assert f'id="quote-catalog-total">{money("86.00")}' in page  # 78.00 + 2 × 4.00
    assert f'id="quote-requested-total">{money("84.00")}' in page  # 78.00 + 2 × 3.00
    assert [line["catalog_unit_price"] for line in revision.lines] == ["6.50", "4.00"]
    assert exported[0]["Requested total"] == "84.00"
    assert requested.payload["data"]["requested_total"] == "84.00"


def test_a_quote_accepted_as_asked_takes_the_companys_price_where_no_target_was_given(
    client, world
):
    quote = request_quote(world.buyer, (world.agreed, 12), (world.plain, 2, "3.00"))
    desk = DeskStaffFactory()
    client.force_login(desk)

    offer_form = client.get(reverse("quotations:detail", args=[quote.number])).content.decode()
    quote = quote_accept_as_requested(quote_id=quote.pk, actor=desk, seen_version=quote.version)

    assert money(FROM_BREAK) in offer_form  # the desk's "Catalog" column
    assert 'value="6.50"' in offer_form  # the offer starts from what the buyer would pay
    assert quote.status == QuoteStatus.ACCEPTED
    assert sorted(quote.lines.values_list("offered_unit_price", flat=True)) == [
        Decimal("3.00"),
        FROM_BREAK,
    ]


def test_the_api_gives_the_callers_prices(world):
    quote = request_quote(world.buyer, (world.agreed, 12))

    mine = token_client(world.buyer)
    products = {p["sku"]: p["unit_price"] for p in mine.get("/api/v1/products/").json()["results"]}
    one = mine.get("/api/v1/products/", {"sku": "AGR-100"}).json()["results"]
    read = mine.get(f"/api/v1/quotes/{quote.number}/").json()
    listed = mine.get("/api/v1/quotes/").json()["results"]
    theirs = token_client(world.other).get("/api/v1/products/", {"sku": "AGR-100"}).json()

    assert products["AGR-100"] == "7.77" and products["PLN-200"] == "4.00"
    assert one[0]["unit_price"] == "7.77"
    assert read["lines"][0]["catalog_unit_price"] == "6.50"
    assert listed[0]["lines"][0]["catalog_unit_price"] == "6.50"
    assert theirs["results"][0]["unit_price"] == "10.00"


def test_the_api_lists_only_what_the_company_may_see(world):
    listed = token_client(world.buyer).get("/api/v1/products/").json()["results"]

    assert "AGR-HID" not in {p["sku"] for p in listed}


# --- nothing reads a product's list price around the door ---------------------------

# Seller-side places that read ``Product.unit_price`` as such, and why.
ALLOWED = {
    "catalog/pricing.py": "the door itself",
    "catalog/models.py": "the field and its constraint",
    "catalog/admin.py": "Django admin: site admins edit the list price",
    "catalog/resources.py": "the product import and export of the list price",
    "catalog/demo.py": "the demo catalog's list prices",
}
SKIPPED_DIRS = {"tests", "benchmark", "migrations", "node_modules", "static", "var", "docs"}

PRODUCT_PATH = re.compile(r"product\w*(\.|__)unit_price", re.IGNORECASE)
TEMPLATE_READ = re.compile(r"\b(\w*product\w*|p)\.unit_price\b", re.IGNORECASE)


def _productish(node: ast.AST) -> bool:
    """Whether an expression reads like a product: ``product``, ``line.product``,
    ``products[sku]``, ``p``."""
    if isinstance(node, ast.Subscript):
        node = node.value
    name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", "")
    return name == "p" or "product" in name.lower()


def bypasses_in_python(source: str) -> list[str]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "unit_price"
            and _productish(node.value)
        ):
            found.append((node.lineno, ast.unparse(node)))
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and PRODUCT_PATH.search(node.value)
        ):
            found.append((node.lineno, repr(node.value)))
    return [f"{line}: {text}" for line, text in sorted(found)]


def bypasses_in_template(text: str) -> list[str]:
    return [
        f"{text.count(chr(10), 0, match.start()) + 1}: {match.group(0)}"
        for match in TEMPLATE_READ.finditer(text)
    ]


def _project_files(pattern: str):
    for path in sorted(ROOT.rglob(pattern)):
        relative = path.relative_to(ROOT)
        if relative.parts[0].startswith(".") or SKIPPED_DIRS & set(relative.parts):
            continue
        yield relative, path


def test_nothing_reads_a_products_list_price_for_a_buyer_around_the_door():
    found = []
    for relative, path in _project_files("*.py"):
        if str(relative) not in ALLOWED:
            found += [f"{relative}:{hit}" for hit in bypasses_in_python(path.read_text())]
    for suffix in ("*.html", "*.txt"):
        for relative, path in _project_files(suffix):
            found += [f"{relative}:{hit}" for hit in bypasses_in_template(path.read_text())]

    assert not found, "read a price through catalog.pricing instead:\n" + "\n".join(found)


def test_the_scan_sees_each_way_a_list_price_can_be_read():
    python = """
a = line.product.unit_price
b = product.unit_price
c = products[sku].unit_price
d = Product.objects.values_list("sku", "product__unit_price")
e = serializers.DecimalField(source="product.unit_price")
f = p.unit_price
fine = line.unit_price + price.unit_price + prices[line.product.pk].unit_price
"""
    template = (
        "{{ line.product.unit_price|money }} {{ product.unit_price }} {{ p.unit_price }} "
        "{{ line.unit_price }} {{ row.price.unit_price }}"
    )

    assert [hit.split(": ")[1] for hit in bypasses_in_python(python)] == [
        "line.product.unit_price",
        "product.unit_price",
        "products[sku].unit_price",
        "'product__unit_price'",
        "'product.unit_price'",
        "p.unit_price",
    ]
    assert [hit.split(": ")[1] for hit in bypasses_in_template(template)] == [
        "product.unit_price",
        "product.unit_price",
        "p.unit_price",
    ]
