"""Examples shown with every endpoint in the OpenAPI schema (Swagger UI, Redoc).

A list's example is one item: the schema shows it inside the page envelope."""

from drf_spectacular.utils import OpenApiExample

PERSON = {"id": 7, "full_name": "Bea Buyer"}
LINE = {
    "sku": "BOLT-M8",
    "name": "Hex bolt M8 x 40",
    "quantity": 500,
    "unit_price": "0.42",
    "line_total": "210.00",
}
STEP = {
    "id": 31,
    "sequence": 1,
    "status": "open",
    "minimum": "100.00",
    "label": "Team lead",
    "needs_site_admin": False,
    "approvers": [{"id": 9, "full_name": "Ada Approver"}],
    "opened_at": "2026-03-02T09:15:00Z",
    "decided_by": None,
    "decided_for": None,
    "decided_at": None,
    "comment": "",
}
EVENT = {
    "kind": "placed",
    "actor": PERSON,
    "on_behalf_of": None,
    "from_status": "",
    "to_status": "pending_approval",
    "comment": "Waits for Ada Approver (orders from $100.00).",
    "channel": "api",
    "version": 1,
    "created_at": "2026-03-02T09:15:00Z",
}
ORDER = {
    "number": "PO-000042",
    "status": "pending_approval",
    "version": 1,
    "company": {"id": 3, "name": "Acme Tools"},
    "placed_by": PERSON,
    "total": "210.00",
    "currency": "USD",
    "quote_number": "",
    "created_at": "2026-03-02T09:15:00Z",
    "updated_at": "2026-03-02T09:15:00Z",
    "lines": [LINE],
    "approval_steps": [STEP],
    "history": [EVENT],
}
QUOTE = {
    "number": "Q-000012",
    "status": "offered",
    "version": 2,
    "company": {"id": 3, "name": "Acme Tools"},
    "requested_by": PERSON,
    "expires_at": "2026-03-16T23:59:59Z",
    "order_number": None,
    "last_activity_at": "2026-03-03T10:00:00Z",
    "created_at": "2026-03-02T09:00:00Z",
    "updated_at": "2026-03-03T10:00:00Z",
    "lines": [
        {
            "id": 55,
            "sku": "BOLT-M8",
            "name": "Hex bolt M8 x 40",
            "quantity": 5000,
            "catalog_unit_price": "0.42",
            "target_unit_price": "0.35",
            "offered_unit_price": "0.37",
        }
    ],
    "revisions": [
        {
            "number": 1,
            "kind": "requested",
            "author": PERSON,
            "lines": [{"sku": "BOLT-M8", "quantity": 5000, "target_unit_price": "0.35"}],
            "expires_at": None,
            "created_at": "2026-03-02T09:00:00Z",
        }
    ],
    "messages": [
        {
            "id": 90,
            "author": PERSON,
            "body": "Can you do 0.35?",
            "created_at": "2026-03-02T09:00:00Z",
        }
    ],
}
PRODUCT = {
    "sku": "BOLT-M8",
    "name": "Hex bolt M8 x 40",
    "description": "Zinc plated, box of 100.",
    "unit_price": "0.42",
    "updated_at": "2026-01-10T08:00:00Z",
}
COMPANY = {
    "id": 3,
    "name": "Acme Tools",
    "slug": "acme-tools",
    "is_active": True,
    "approval_mode": "respective",
    "monthly_budget": "50000.00",
}
CONTACT = {
    "id": 7,
    "full_name": "Bea Buyer",
    "email": "bea@acme.example",
    "job_title": "Purchasing",
    "is_company_admin": False,
}


def out(name: str, value, status: str = "200") -> OpenApiExample:
    return OpenApiExample(name, value=value, response_only=True, status_codes=[status])


def into(name: str, value) -> OpenApiExample:
    return OpenApiExample(name, value=value, request_only=True)


REFUSED = OpenApiExample(
    "Refused",
    value={
        "error": "stale_version",
        "detail": "Order PO-000042 changed while you were looking at it. Please check it again.",
        "fields": {},
    },
    response_only=True,
    status_codes=["409"],
)
