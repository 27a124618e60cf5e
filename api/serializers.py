"""What the API shows and reads. Output mirrors the pages; input is only its shape
(a number, a text): the services say what breaks a rule, in their own words.

An order and a quote are rendered from their documents (``orders.documents``,
``quotations.documents``), as the webhooks, the exports and the emails are; the
serializers keep their models only to describe the fields in the schema.
"""

from django.db.models import Manager, Model
from rest_framework import serializers

from approvals.models import ApprovalStep, Decision
from catalog.models import Product
from catalog.pricing import price_for
from companies.models import Company, User
from orders.documents import HEADER_FIELDS, order_documents
from orders.models import Order, OrderEvent, OrderLine
from orders.services import HeaderRequest
from quotations.documents import quote_documents
from quotations.models import Quote, QuoteLine, QuoteMessage, QuoteRevision

MONEY = {"max_digits": 14, "decimal_places": 2, "read_only": True}
MAX_TEXT = 5_000
# Shape limits only, so a huge body is refused before it reaches a service.
MAX_ROWS = 500


# A serializer whose fields (and schema) come from a model, rendering a document:
# ``Meta.sources`` names the document's attribute for a field named otherwise. (Comments,
# not docstrings, on these: the schema would take a docstring for its description.)
class DocumentSerializer(serializers.ModelSerializer):
    def get_fields(self):
        fields = super().get_fields()
        for name, source in getattr(self.Meta, "sources", {}).items():
            fields[name].source = source
        return fields

    @staticmethod
    def documents(rows: list) -> list:
        """The documents of ``rows`` (model instances), with what this serializer shows."""
        raise NotImplementedError

    def to_representation(self, instance):
        if isinstance(instance, Model):
            (instance,) = self.documents([instance])
        return super().to_representation(instance)


# A page of documents, built at once (``Meta.list_serializer_class``).
class DocumentListSerializer(serializers.ListSerializer):
    def to_representation(self, data):
        rows = list(data.all() if isinstance(data, Manager) else data)
        if rows and isinstance(rows[0], Model):
            rows = self.child.documents(rows)
        return [self.child.to_representation(row) for row in rows]


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    full_name = serializers.CharField(read_only=True)


class CompanyRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


# --- orders -------------------------------------------------------------------


class OrderLineSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    unit_price = serializers.DecimalField(**MONEY)
    line_total = serializers.DecimalField(**MONEY)

    class Meta:
        model = OrderLine
        fields = ["sku", "name", "quantity", "unit_price", "line_total"]


class ApprovalStepSerializer(serializers.ModelSerializer):
    minimum = serializers.DecimalField(**MONEY)
    approvers = PersonSerializer(many=True, read_only=True)
    decided_by = PersonSerializer(read_only=True, allow_null=True)
    decided_for = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ApprovalStep
        fields = [
            "id",
            "sequence",
            "status",
            "minimum",
            "label",
            "needs_site_admin",
            "approvers",
            "opened_at",
            "decided_by",
            "decided_for",
            "decided_at",
            "comment",
        ]


class OrderEventSerializer(serializers.ModelSerializer):
    actor = PersonSerializer(read_only=True, allow_null=True)
    on_behalf_of = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = OrderEvent
        fields = [
            "kind",
            "actor",
            "on_behalf_of",
            "from_status",
            "to_status",
            "comment",
            "channel",
            "version",
            "created_at",
        ]


# An order's document (``OrderDocument``), with its lines, approvals and history.
class OrderSerializer(DocumentSerializer):
    company = CompanyRefSerializer(read_only=True)
    placed_by = PersonSerializer(read_only=True)
    total = serializers.DecimalField(**MONEY)
    currency = serializers.SerializerMethodField()
    lines = OrderLineSerializer(many=True, read_only=True)
    approval_steps = ApprovalStepSerializer(source="approvals", many=True, read_only=True)
    history = OrderEventSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            "number",
            "status",
            "version",
            "company",
            "placed_by",
            "total",
            "currency",
            "quote_number",
            *HEADER_FIELDS,
            "created_at",
            "updated_at",
            "lines",
            "approval_steps",
            "history",
        ]
        sources = {
            **{name: f"header.{name}" for name in HEADER_FIELDS},
            "created_at": "placed_at",
        }
        list_serializer_class = DocumentListSerializer

    @staticmethod
    def documents(rows: list) -> list:
        return order_documents(rows, approvals=True, history=True)

    def get_currency(self, obj) -> str:
        return obj.currency


class LineInputSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=100, allow_blank=True)
    quantity = serializers.IntegerField()


class OrderPlaceSerializer(serializers.Serializer):
    lines = LineInputSerializer(many=True, max_length=MAX_ROWS)
    # the order header, all optional: the rules are the web form's (orders.services.header)
    po_reference = serializers.CharField(max_length=200, required=False, allow_blank=True)
    delivery_address = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="One of the company's addresses."
    )
    delivery_date = serializers.DateField(required=False, allow_null=True)
    cost_centre = serializers.CharField(max_length=200, required=False, allow_blank=True)
    note_to_seller = serializers.CharField(max_length=5000, required=False, allow_blank=True)

    @staticmethod
    def header_request(data: dict) -> HeaderRequest:
        return HeaderRequest(
            po_reference=data.get("po_reference", ""),
            delivery_address_id=data.get("delivery_address"),
            delivery_date=data.get("delivery_date"),
            cost_centre=data.get("cost_centre", ""),
            note_to_seller=data.get("note_to_seller", ""),
        )


class OrderEditSerializer(serializers.Serializer):
    lines = LineInputSerializer(many=True, max_length=MAX_ROWS)
    version = serializers.IntegerField(min_value=1, help_text="The version of the order you saw.")


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="The version you saw.")


class OrderCancelSerializer(VersionSerializer):
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class DecisionSerializer(VersionSerializer):
    step = serializers.IntegerField(min_value=1, help_text="The id of the open approval step.")
    decision = serializers.ChoiceField(choices=Decision.choices)
    comment = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required to reject or to ask for changes: the buyer reads it.",
    )


# --- quotes -------------------------------------------------------------------


class QuoteLineSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    catalog_unit_price = serializers.DecimalField(**MONEY)
    target_unit_price = serializers.DecimalField(allow_null=True, **MONEY)
    offered_unit_price = serializers.DecimalField(allow_null=True, **MONEY)

    class Meta:
        model = QuoteLine
        fields = [
            "id",
            "sku",
            "name",
            "quantity",
            "catalog_unit_price",
            "target_unit_price",
            "offered_unit_price",
        ]


class QuoteRevisionSerializer(serializers.ModelSerializer):
    author = PersonSerializer(read_only=True)

    class Meta:
        model = QuoteRevision
        fields = ["number", "kind", "author", "lines", "expires_at", "created_at"]


class QuoteMessageSerializer(serializers.ModelSerializer):
    author = PersonSerializer(read_only=True)

    class Meta:
        model = QuoteMessage
        fields = ["id", "author", "body", "created_at"]


# A quote's document (``QuoteDocument``), with its lines and thread.
class QuoteSerializer(DocumentSerializer):
    company = CompanyRefSerializer(read_only=True)
    requested_by = PersonSerializer(read_only=True)
    order_number = serializers.CharField(read_only=True, allow_null=True)
    lines = QuoteLineSerializer(many=True, read_only=True)
    revisions = QuoteRevisionSerializer(many=True, read_only=True)
    messages = QuoteMessageSerializer(many=True, read_only=True)

    class Meta:
        model = Quote
        fields = [
            "number",
            "status",
            "version",
            "company",
            "requested_by",
            "expires_at",
            "order_number",
            "last_activity_at",
            "created_at",
            "updated_at",
            "lines",
            "revisions",
            "messages",
        ]
        sources = {"expires_at": "offer_valid_until", "created_at": "requested_at"}
        list_serializer_class = DocumentListSerializer

    @staticmethod
    def documents(rows: list) -> list:
        return quote_documents(rows, thread=True)


class QuoteLineInputSerializer(LineInputSerializer):
    target_unit_price = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, default=None
    )


class QuoteRequestSerializer(serializers.Serializer):
    lines = QuoteLineInputSerializer(many=True, max_length=MAX_ROWS)
    message = serializers.CharField(
        max_length=MAX_TEXT, required=False, allow_blank=True, default=""
    )


class MessageSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=MAX_TEXT, allow_blank=True)


class OfferLineSerializer(serializers.Serializer):
    line_id = serializers.IntegerField(min_value=1)
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=2)
    quantity = serializers.IntegerField(required=False, allow_null=True, default=None)


class OfferSerializer(VersionSerializer):
    expires_on = serializers.DateField(help_text="The last day the offer holds.")
    lines = OfferLineSerializer(many=True, max_length=MAX_ROWS)
    message = serializers.CharField(
        max_length=MAX_TEXT, required=False, allow_blank=True, default=""
    )


class FulfilSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, default=None, help_text="The version you saw."
    )


# --- catalog and company ------------------------------------------------------


def _caller_company_id(context: dict) -> int | None:
    user = getattr(context.get("request"), "user", None)
    return getattr(user, "company_id", None)


def _rows(data) -> list:
    return list(data.all() if hasattr(data, "all") else data)


class PricedProducts(serializers.ListSerializer):
    """A page of products priced at once for the caller's company (``catalog.pricing``)."""

    def to_representation(self, data):
        products = _rows(data)
        self.child.prices = price_for(
            company_id=_caller_company_id(self.context), items=[(p, 1) for p in products]
        )
        return super().to_representation(products)


class CallersPriceField(serializers.DecimalField):
    """A product's unit price for the caller's company, from the one price door."""

    def get_attribute(self, instance):
        price = (getattr(self.parent, "prices", None) or {}).get(instance.pk)
        if price is None:  # one product on its own
            company_id = _caller_company_id(self.context)
            price = price_for(company_id=company_id, items=[(instance, 1)])[instance.pk]
        return price.unit_price


class ProductSerializer(serializers.ModelSerializer):
    unit_price = CallersPriceField(**MONEY)

    class Meta:
        model = Product
        fields = ["sku", "name", "description", "unit_price", "updated_at"]
        list_serializer_class = PricedProducts


class CompanySerializer(serializers.ModelSerializer):
    monthly_budget = serializers.DecimalField(allow_null=True, **MONEY)

    class Meta:
        model = Company
        fields = ["id", "name", "slug", "is_active", "approval_mode", "monthly_budget"]


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "full_name", "email", "job_title", "is_company_admin"]
