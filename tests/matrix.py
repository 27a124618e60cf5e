"""The portal's URLs, the people who call them, and what each may do: one table.

``tests/test_permissions.py`` checks every cell of it; the property-based tests
of hostile input (``tests/test_hostile_input.py``) post through the same rows.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.db import connection
from django.urls import URLResolver, get_resolver
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.services import invitation_send
from accounts.tokens import invitation_token
from api.models import ApiToken
from api.services import api_token_create
from approvals.links import decision_link_token
from approvals.models import Delegation, StepStatus
from approvals.services import delegation_plan
from companies.models import ApprovalMode, Company
from notifications.models import Notification
from orders.models import Order
from orders.services import order_cancel
from quotations.models import Quote
from quotations.services import quote_accept, quote_withdraw
from tests.approvals.factories import ApprovalTierFactory
from tests.factories import (
    PASSWORD,
    BareStaffFactory,
    BuyerFactory,
    CompanyFactory,
    CostCentreFactory,
    DeliveryAddressFactory,
    ProductFactory,
    StaffFactory,
    place_order,
)
from tests.quotations.factories import offer, request_quote
from tests.requisitions.factories import make_list

ROLES = (
    "anonymous",
    "buyer",  # placed the orders and asked for the quotes
    "colleague",  # same company, no approval tier; the company's administrator
    "approver",  # approver of the tier the waiting order is routed to
    "other_approver",  # approver of another tier of the same company
    "stranger",  # a buyer of another company
    "staff",  # staff with no permission of the portal's work
    "site_admin",  # in the "Site admins" group
)


@dataclass
class World:
    people: dict
    products: list
    orders: dict  # state -> Order
    quotes: dict  # state -> Quote
    admin_order: Order  # waits for a site admin: nobody in its company may decide it
    notification: Notification  # one of the buyer's, in their inbox
    delegation: Delegation  # the other approver's period away, planned for next month
    # the buyer's company's people beyond the roles: "invited" (with "invitation"),
    # "deactivated"; and another company's "stranger_colleague"
    accounts: dict = field(default_factory=dict)
    # the buyer's requisition lists: "private" and "shared"
    lists: dict = field(default_factory=dict)
    # delivery addresses: the buyer's company's "default" and "second", the stranger's "theirs"
    addresses: dict = field(default_factory=dict)
    # each role's personal API key (``api.ApiToken``), and the buyer's token
    keys: dict = field(default_factory=dict)
    token: ApiToken | None = None


def build_world() -> World:
    company = CompanyFactory(approval_mode=ApprovalMode.RESPECTIVE)
    approver = ApprovalTierFactory(company=company, minimum=Decimal("100.00")).approver
    other_approver = ApprovalTierFactory(company=company, minimum=Decimal("5000.00")).approver
    buyer = BuyerFactory(company=company)
    addresses = {
        "default": DeliveryAddressFactory(company=company, is_default=True),
        "second": DeliveryAddressFactory(company=company),
    }
    CostCentreFactory(company=company, code="OPS")
    people = {
        "anonymous": None,
        "buyer": buyer,
        "colleague": BuyerFactory(company=company, is_company_admin=True),
        "approver": approver,
        "other_approver": other_approver,
        "stranger": BuyerFactory(company=CompanyFactory()),
        "staff": BareStaffFactory(),
        "site_admin": StaffFactory(),
    }
    unit = ProductFactory(unit_price=Decimal("1.00"))
    spare = ProductFactory(unit_price=Decimal("2.00"))
    orders = {
        "waiting": place_order(buyer, (unit, 500)),
        "approved": place_order(buyer, (unit, 50)),
        "cancelled": place_order(buyer, (unit, 60)),
    }
    order_cancel(order_id=orders["cancelled"].pk, actor=buyer, seen_version=1)
    # the top tier's only approver orders above it: nobody left in the company decides
    admin_order = place_order(other_approver, (unit, 6000))
    desk = people["site_admin"]
    requested = request_quote(buyer, (unit, 10))
    offered = offer(request_quote(buyer, (unit, 20)), desk, {unit: "0.90"})
    accepted = offer(request_quote(buyer, (unit, 30)), desk, {unit: "0.80"})
    accepted = quote_accept(quote_id=accepted.pk, actor=buyer, seen_version=accepted.version)
    withdrawn = request_quote(buyer, (unit, 40))
    withdrawn = quote_withdraw(quote_id=withdrawn.pk, actor=buyer, seen_version=withdrawn.version)
    for item in [*orders.values(), admin_order, requested, offered, accepted, withdrawn]:
        item.refresh_from_db()
    assert admin_order.approval_steps.get(status=StepStatus.OPEN).needs_site_admin
    notification = Notification.objects.filter(recipient=buyer).first()
    delegation = delegation_plan(
        approver=other_approver,
        delegate=people["colleague"],
        starts_at=timezone.now() + timedelta(days=30),
        ends_at=timezone.now() + timedelta(days=40),
        actor=other_approver,
    )
    invitation = invitation_send(
        actor=desk, email="invited@example.com", full_name="Ivy Invited", company_id=company.pk
    )
    addresses["theirs"] = DeliveryAddressFactory(
        company=people["stranger"].company, is_default=True
    )
    accounts = {
        "invited": invitation.user,
        "invitation": invitation,
        "deactivated": BuyerFactory(company=company, is_active=False),
        "stranger_colleague": BuyerFactory(company=people["stranger"].company, is_active=False),
    }
    lists = {
        "private": make_list(buyer, (unit, 2), name="Private"),
        "shared": make_list(buyer, (unit, 3), (spare, 1), name="Shared", shared=True),
    }
    keys = {}
    for role, user in people.items():
        if user is not None:
            token, keys[role] = api_token_create(user=user, name="ERP", days=30)
            if role == "buyer":
                buyer_token = token
    return World(
        people,
        [unit, spare],
        orders,
        {"requested": requested, "offered": offered, "accepted": accepted, "withdrawn": withdrawn},
        admin_order,
        notification,
        delegation,
        accounts,
        lists,
        addresses,
        keys,
        buyer_token,
    )


def _lines(*rows, prefix="lines", extra=None) -> dict:
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"}
    for i, (sku, quantity) in enumerate(rows):
        data[f"{prefix}-{i}-sku"] = sku
        data[f"{prefix}-{i}-quantity"] = str(quantity)
    return {**data, **(extra or {})}


def _header(w: World, address: str = "second") -> dict:
    return {
        "header-po_reference": "PO-MATRIX-1",
        "header-delivery_address": str(w.addresses[address].pk),
        "header-delivery_date": (timezone.localdate() + timedelta(days=3)).isoformat(),
        "header-cost_centre": "",
        "header-note_to_seller": "Gate 2",
    }


def _company_details(w: World) -> dict:
    default = w.addresses["default"]
    return {
        "version": str(Company.objects.get(pk=default.company_id).details_version),
        "billing_address": "1 Ledger Lane\nSpringfield",
        "vat_id": "GB123456789",
        "payment_terms": "30 days net",
        "addresses-TOTAL_FORMS": "2",
        "addresses-INITIAL_FORMS": "1",
        "addresses-0-id": str(default.pk),
        "addresses-0-label": default.label,
        "addresses-0-address": default.address,
        "addresses-0-is_default": "on",
        "addresses-1-label": "Annex",
        "addresses-1-address": "3 Side Street",
        "centres-TOTAL_FORMS": "1",
        "centres-INITIAL_FORMS": "0",
        "centres-0-code": "IT",
        "centres-0-name": "Information technology",
    }


def _decide(order: Order, decision="approve") -> dict:
    step = order.approval_steps.get(status=StepStatus.OPEN)
    return {"step": step.pk, "version": order.version, "decision": decision, "comment": "ok"}


def _email_link(order: Order, approver) -> str:
    step = order.approval_steps.get(status=StepStatus.OPEN)
    return decision_link_token(
        step_id=step.pk, approver_id=approver.pk, version=order.version, decision="approve"
    )


def _offer(quote: Quote) -> dict:
    lines = list(quote.lines.order_by("id"))
    data = {
        "offer-version": quote.version,
        "offer-expires_on": (timezone.localdate() + timedelta(days=5)).isoformat(),
        "offer-lines-TOTAL_FORMS": len(lines),
        "offer-lines-INITIAL_FORMS": len(lines),
    }
    for i, line in enumerate(lines):
        data[f"offer-lines-{i}-line_id"] = line.pk
        data[f"offer-lines-{i}-unit_price"] = "0.75"
    return data


@dataclass(frozen=True)
class Row:
    """How to call one URL, and the answer each role gets: GET, then POST (order of ROLES)."""

    args: Callable[[World], list]
    get: tuple[int, ...]
    post: tuple[int, ...]
    body: Callable[[World], dict] = lambda w: {}
    query: Callable[[World], dict] = lambda w: {}


def none(_w: World) -> list:
    return []


def order(state):
    return lambda w: [w.orders[state].number]


def quote(state):
    return lambda w: [w.quotes[state].number]


def version(kind, state, **extra):
    return lambda w: {"version": getattr(w, kind)[state].version, **extra}


def person(kind):
    """A person of the world by role or by account kind, as a URL argument."""
    return lambda w: [(w.people.get(kind) or w.accounts[kind]).pk]


def reset_link(w: World) -> list:
    buyer = w.people["buyer"]
    return [urlsafe_base64_encode(force_bytes(buyer.pk)), default_token_generator.make_token(buyer)]


def requisition(kind):
    return lambda w: [w.lists[kind].pk]


def list_lines(kind, quantity=5):
    """The owner's form of a list's quantities, every line set to ``quantity``."""

    def body(w: World) -> dict:
        lines = w.lists[kind].lines.all()
        return {"version": w.lists[kind].version, **{f"qty-{x.pk}": quantity for x in lines}}

    return body


def unit(w: World) -> str:
    return w.products[0].sku


def spare(w: World) -> str:
    return w.products[1].sku


L, F, N, M = 302, 403, 404, 405  # to the login (or a redirect), forbidden, not found, method
CONTACTS = (L, 200, 200, 200, 200, 200, F, F)  # pages for the people of a company
EVERYONE = (L, 200, 200, 200, 200, 200, 200, 200)
READ_ONLY = (L, M, M, M, M, M, M, M)
POST_ONLY = READ_ONLY
LOGGED_IN_ACT = (L, L, L, L, L, L, L, L)  # a logged-in person acts and is sent on
PUBLIC = (200,) * 8  # pages anybody opens, logged in or not
ADMIN_ONLY = (L, F, 200, F, F, F, F, F)  # the company's administrator (the colleague)
ADMIN_ACTS = (L, F, L, F, F, F, F, F)
ADMIN_NOT_FOUND = (L, F, N, F, F, F, F, F)  # another company's person, or a site admin
# The buyer's own private list: anybody else of a company finds nothing; staff keep no lists.
OWN_LIST_PAGE = (L, 200, N, N, N, N, F, F)
OWN_LIST_ACTS = (L, L, N, N, N, N, F, F)
# The buyer's list shared with the company: colleagues see it; only the buyer changes it.
SHARED_LIST_PAGE = (L, 200, 200, 200, 200, N, F, F)
SHARED_LIST_CHANGE = (L, 200, F, F, F, N, F, F)
SHARED_LIST_ACTS = (L, L, F, F, F, N, F, F)
CONTACTS_ACT = (L, L, L, L, L, L, F, F)

# Rows named "url@state" call the URL on an object in another state.
#                     anonymous buyer colleague approver other stranger staff site_admin
MATRIX: dict[str, Row] = {
    "home": Row(none, EVERYONE, READ_ONLY),
    "login": Row(
        none,
        (200, L, L, L, L, L, L, L),  # signed in already: to the dashboard
        (L, L, L, L, L, L, L, L),
        body=lambda w: {"username": w.people["buyer"].email, "password": PASSWORD},
    ),
    "logout": Row(none, (M,) * 8, (L,) * 8),
    "catalog:list": Row(none, EVERYONE, READ_ONLY, query=lambda w: {"q": "a", "category": "x"}),
    "catalog:suggest": Row(none, EVERYONE, READ_ONLY, query=lambda w: {"q": unit(w)[:4]}),
    # orders: a company's people see its orders; the person who placed one changes it;
    # site admins who oversee orders see them all
    "orders:list": Row(
        none,
        (L, 200, 200, 200, 200, 200, F, 200),
        READ_ONLY,
        query=lambda w: {"q": unit(w), "status": "approved", "placed_from": "2020-01-01"},
    ),
    # the list as CSV, with its filters: the same people as the list
    "orders:export": Row(
        none,
        (L, 200, 200, 200, 200, 200, F, 200),
        READ_ONLY,
        query=lambda w: {"status": "approved", "number": "PO-", "mine": "true", "q": unit(w)},
    ),
    "orders:create": Row(
        none,
        CONTACTS,
        (L, L, L, L, L, L, F, F),
        body=lambda w: _lines((unit(w), 3)),
        query=lambda w: {"sku": unit(w)},
    ),
    # with a header: the buyer's company's second address; another company's is not found
    "orders:create@header": Row(
        none,
        CONTACTS,
        (L, L, L, L, L, N, F, F),
        body=lambda w: _lines((unit(w), 3), extra=_header(w)),
    ),
    "orders:create@other_address": Row(
        none,
        CONTACTS,
        (L, N, N, N, N, L, F, F),  # the stranger's own address: theirs to use
        body=lambda w: _lines((unit(w), 3), extra=_header(w, "theirs")),
    ),
    "orders:create@again": Row(
        none,
        (L, 200, 200, 200, 200, N, F, F),  # another company's order to repeat: not found
        (L, L, L, L, L, L, F, F),
        body=lambda w: _lines((unit(w), 3)),
        query=lambda w: {"again": w.orders["approved"].number},
    ),
    "orders:line_row": Row(none, CONTACTS, READ_ONLY, query=lambda w: {"lines-TOTAL_FORMS": "1"}),
    "orders:line_preview": Row(
        none,
        CONTACTS,
        READ_ONLY,
        query=lambda w: {"row": "0", **_lines((unit(w), 2))},
    ),
    "orders:detail": Row(order("waiting"), (L, 200, 200, 200, 200, N, N, 200), READ_ONLY),
    "orders:edit": Row(
        order("waiting"),
        (L, 200, F, F, F, N, N, F),
        (L, L, F, F, F, N, N, F),
        body=lambda w: _lines((spare(w), 4), extra=version("orders", "waiting")(w)),
    ),
    "orders:edit@cancelled": Row(  # told it can no longer be changed
        order("cancelled"),
        (L, L, F, F, F, N, N, F),
        (L, L, F, F, F, N, N, F),
        body=lambda w: _lines((spare(w), 4), extra=version("orders", "cancelled")(w)),
    ),
    "orders:cancel": Row(
        order("waiting"), POST_ONLY, (L, L, F, F, F, N, N, F), body=version("orders", "waiting")
    ),
    "orders:cancel@cancelled": Row(
        order("cancelled"),
        POST_ONLY,
        (L, L, F, F, F, N, N, F),
        body=version("orders", "cancelled"),
    ),
    # approvals: the approver of the open step decides; nobody decides their own order;
    # site admins decide only what nobody in the company may
    "approvals:queue": Row(none, (L, 200, 200, 200, 200, 200, L, L), READ_ONLY),
    "approvals:history": Row(none, EVERYONE, READ_ONLY),
    "approvals:staff_queue": Row(none, (L, F, F, F, F, F, F, 200), READ_ONLY),
    "approvals:order": Row(order("waiting"), (L, 200, 200, 200, 200, N, N, 200), READ_ONLY),
    "approvals:order@site_admin": Row(
        lambda w: [w.admin_order.number], (L, 200, 200, 200, 200, N, N, 200), READ_ONLY
    ),
    "approvals:decide": Row(
        order("waiting"),
        POST_ONLY,
        (L, F, F, L, F, N, N, F),
        body=lambda w: _decide(w.orders["waiting"]),
    ),
    "approvals:decide@site_admin": Row(
        lambda w: [w.admin_order.number],
        POST_ONLY,
        (L, F, F, F, F, N, N, L),
        body=lambda w: _decide(w.admin_order),
    ),
    # a decision link from the approver's email: it decides that one step without a
    # login, and nothing for anybody logged in as someone else
    "approvals:email_decision": Row(
        lambda w: [_email_link(w.orders["waiting"], w.people["approver"])],
        (200, F, F, 200, F, F, F, F),
        (200, F, F, 200, F, F, F, F),
        body=lambda w: {"comment": "ok"},
    ),
    # an approver's time away: planned by the approver; cancelled only their own
    "approvals:away": Row(
        none,
        (L, F, F, 200, 200, F, F, F),
        (L, F, F, L, 400, F, F, F),  # the other approver has a period planned already
        body=lambda w: {
            "delegate": w.people["colleague"].pk,
            "starts_on": timezone.localdate().isoformat(),
            "ends_on": (timezone.localdate() + timedelta(days=3)).isoformat(),
        },
    ),
    "approvals:away_cancel": Row(
        none,
        POST_ONLY,
        (L, N, N, N, L, N, N, N),
        body=lambda w: {"delegation": w.delegation.pk},
    ),
    "approvals:bulk_approve": Row(
        none,
        POST_ONLY,
        (L, F, F, L, F, F, F, F),
        body=lambda w: {
            "steps": [f"{_decide(w.orders['waiting'])['step']}:{w.orders['waiting'].version}"]
        },
    ),
    # quotes: a company's people see its quotes and write on their threads; the person
    # who asked acts on it; the quote desk answers
    "quotations:list": Row(
        none,
        (L, 200, 200, 200, 200, 200, F, L),
        READ_ONLY,
        query=lambda w: {"q": unit(w), "asked_to": "2999-01-01"},
    ),
    "quotations:create": Row(
        none,
        CONTACTS,
        (L, L, L, L, L, L, F, F),
        body=lambda w: _lines((unit(w), 3), extra={"message": "Hi"}),
        query=lambda w: {"sku": unit(w)},
    ),
    "quotations:create@other_address": Row(
        none,
        CONTACTS,
        (L, N, N, N, N, L, F, F),
        body=lambda w: _lines((unit(w), 3), extra={"message": "Hi", **_header(w, "theirs")}),
    ),
    "quotations:desk": Row(none, (L, F, F, F, F, F, F, 200), READ_ONLY),
    # the company's quotes for its contacts, the desk's list (every company) for the desk
    "quotations:export": Row(
        none,
        (L, 200, 200, 200, 200, 200, F, 200),
        READ_ONLY,
        query=lambda w: {"status": "requested", "waiting": "true", "number": "Q-", "q": unit(w)},
    ),
    "quotations:detail": Row(quote("requested"), (L, 200, 200, 200, 200, N, F, 200), READ_ONLY),
    "quotations:edit": Row(
        quote("offered"),
        (L, 200, F, F, F, N, F, F),
        (L, L, F, F, F, N, F, F),
        body=lambda w: _lines((unit(w), 25), extra=version("quotes", "offered", message="25?")(w)),
    ),
    "quotations:message": Row(
        quote("requested"),
        POST_ONLY,
        (L, L, L, L, L, N, F, L),
        body=lambda w: {"body": "Any news?"},
    ),
    "quotations:message@withdrawn": Row(  # told the thread is closed
        quote("withdrawn"),
        POST_ONLY,
        (L, L, L, L, L, N, F, L),
        body=lambda w: {"body": "Any news?"},
    ),
    "quotations:offer": Row(
        quote("requested"),
        POST_ONLY,
        (L, F, F, F, F, N, F, L),
        body=lambda w: _offer(w.quotes["requested"]),
    ),
    "quotations:withdraw": Row(
        quote("requested"),
        POST_ONLY,
        (L, L, F, F, F, N, F, F),
        body=version("quotes", "requested"),
    ),
    "quotations:accept": Row(
        quote("offered"), POST_ONLY, (L, L, F, F, F, N, F, F), body=version("quotes", "offered")
    ),
    "quotations:place_order": Row(
        quote("accepted"),
        POST_ONLY,
        (L, L, F, F, F, N, F, F),
        body=version("quotes", "accepted"),
    ),
    "quotations:accept_as_requested": Row(
        quote("requested"),
        POST_ONLY,
        (L, F, F, F, F, N, F, L),
        body=version("quotes", "requested"),
    ),
    "quotations:reject": Row(
        quote("requested"),
        POST_ONLY,
        (L, F, F, F, F, N, F, L),
        body=version("quotes", "requested", reason="No."),
    ),
    # requisition lists: a contact person's own, private or shared with the company
    "requisitions:list": Row(none, CONTACTS, READ_ONLY),
    "requisitions:create": Row(none, CONTACTS, CONTACTS_ACT, body=lambda w: {"name": "New list"}),
    "requisitions:add": Row(  # a catalog product to a new list
        none,
        CONTACTS,
        CONTACTS_ACT,
        body=lambda w: {"sku": unit(w), "quantity": "2", "new_name": "Added"},
        query=lambda w: {"sku": unit(w)},
    ),
    "requisitions:add@private": Row(  # from the private list, into it
        none,
        OWN_LIST_PAGE,
        OWN_LIST_ACTS,
        body=lambda w: {"sku": unit(w), "target": w.lists["private"].pk},
        query=lambda w: {"from_list": w.lists["private"].pk},
    ),
    "requisitions:add@shared": Row(  # copied from the shared list; added to it by its owner
        none,
        SHARED_LIST_PAGE,
        SHARED_LIST_ACTS,
        body=lambda w: {"sku": spare(w), "target": w.lists["shared"].pk},
        query=lambda w: {"from_list": w.lists["shared"].pk},
    ),
    "requisitions:add@order": Row(  # an order saved as a list
        none,
        (L, 200, 200, 200, 200, N, F, F),
        (L, L, L, L, L, N, F, F),
        body=lambda w: {"order": w.orders["approved"].number, "new_name": "From an order"},
        query=lambda w: {"order": w.orders["approved"].number},
    ),
    "requisitions:detail": Row(requisition("private"), OWN_LIST_PAGE, READ_ONLY),
    "requisitions:detail@shared": Row(requisition("shared"), SHARED_LIST_PAGE, READ_ONLY),
    "requisitions:edit": Row(
        requisition("private"),
        OWN_LIST_PAGE,
        OWN_LIST_ACTS,
        body=lambda w: {"name": "Renamed", "version": 1},
    ),
    "requisitions:edit@shared": Row(
        requisition("shared"),
        SHARED_LIST_CHANGE,
        SHARED_LIST_ACTS,
        body=lambda w: {"name": "Renamed", "is_shared": "on", "version": 1},
    ),
    "requisitions:lines": Row(
        requisition("private"), POST_ONLY, OWN_LIST_ACTS, body=list_lines("private")
    ),
    "requisitions:lines@shared": Row(
        requisition("shared"), POST_ONLY, SHARED_LIST_ACTS, body=list_lines("shared")
    ),
    "requisitions:delete": Row(
        requisition("private"), POST_ONLY, OWN_LIST_ACTS, body=lambda w: {"version": 1}
    ),
    "requisitions:delete@shared": Row(
        requisition("shared"), POST_ONLY, SHARED_LIST_ACTS, body=lambda w: {"version": 1}
    ),
    # to the order form, filled in with the list's lines
    "requisitions:order": Row(requisition("private"), OWN_LIST_ACTS, READ_ONLY),
    "requisitions:order@shared": Row(
        requisition("shared"), CONTACTS_ACT[:5] + (N, F, F), READ_ONLY
    ),
    # each person's own notifications
    "notifications:list": Row(none, EVERYONE, READ_ONLY),
    "notifications:read_all": Row(none, POST_ONLY, (L,) * 8),
    "notifications:read": Row(  # the buyer's own entry: another person's is not found
        lambda w: [w.notification.pk], POST_ONLY, (L, L, N, N, N, N, N, N)
    ),
    # moved to the account pages; links in emails sent before still lead there
    "notifications:preferences": Row(none, (301,) * 8, (301,) * 8),
    # accounts: logging in, forgotten passwords and invitations work logged out too
    "accounts:login_code": Row(none, LOGGED_IN_ACT, LOGGED_IN_ACT, body=lambda w: {"code": "1"}),
    "accounts:password_reset": Row(
        none, PUBLIC, (L,) * 8, body=lambda w: {"email": w.people["buyer"].email}
    ),
    "accounts:password_reset_done": Row(none, PUBLIC, (M,) * 8),
    "accounts:password_reset_confirm": Row(  # the buyer's own login spends their link
        reset_link, (L, 200, L, L, L, L, L, L), (L, 200, L, L, L, L, L, L)
    ),
    "accounts:password_reset_confirm@set": Row(  # no link opened in this browser
        lambda w: [reset_link(w)[0], "set-password"],
        PUBLIC,
        PUBLIC,
        body=lambda w: {"new_password1": "a-new-secret-91", "new_password2": "a-new-secret-91"},
    ),
    "accounts:password_reset_complete": Row(none, PUBLIC, (M,) * 8),
    "accounts:invitation": Row(
        lambda w: [w.accounts["invitation"].pk, invitation_token(w.accounts["invitation"])],
        (L,) * 8,
        (M,) * 8,
    ),
    "accounts:invitation@tampered": Row(
        lambda w: [w.accounts["invitation"].pk, "0" * 32], PUBLIC, (M,) * 8
    ),
    "accounts:invitation_accept": Row(  # no link opened in this browser: says so
        lambda w: [w.accounts["invitation"].pk],
        PUBLIC,
        PUBLIC,
        body=lambda w: {
            "full_name": "Ivy",
            "new_password1": "a-new-secret-91",
            "new_password2": "a-new-secret-91",
        },
    ),
    "accounts:invitation_renew": Row(lambda w: [w.accounts["invitation"].pk], (M,) * 8, PUBLIC),
    # each person's own account
    "accounts:account": Row(
        none, EVERYONE, (L,) * 8, body=lambda w: {"full_name": "Renamed", "job_title": ""}
    ),
    "accounts:password_change": Row(
        none,
        EVERYONE,
        (L,) * 8,
        body=lambda w: {
            "old_password": PASSWORD,
            "new_password1": "a-new-secret-91",
            "new_password2": "a-new-secret-91",
        },
    ),
    "accounts:preferences": Row(none, EVERYONE, (L,) * 8, body=lambda w: {"reminders": "on"}),
    "accounts:two_factor": Row(
        none,
        EVERYONE,
        (L, 200, 200, 200, 200, 200, 200, 200),  # a wrong code: the form again
        body=lambda w: {"code": "000000", "password": PASSWORD},
    ),
    "accounts:two_factor_qr": Row(none, EVERYONE, READ_ONLY),
    "accounts:two_factor_off": Row(
        none, POST_ONLY, (L,) * 8, body=lambda w: {"off-password": PASSWORD}
    ),
    "accounts:recovery_codes": Row(
        none, POST_ONLY, (L,) * 8, body=lambda w: {"codes-password": PASSWORD}
    ),
    # the company's details: every contact reads them, its administrator changes them
    "accounts:company": Row(none, CONTACTS, ADMIN_ACTS, body=_company_details),
    # a company's administrator runs its people: another company's are not found
    "accounts:people": Row(none, ADMIN_ONLY, READ_ONLY),
    "accounts:invite": Row(
        none,
        ADMIN_ONLY,
        ADMIN_ACTS,
        body=lambda w: {
            "full_name": "Nia New",
            "email": "nia@example.com",
            "submission": str(uuid.uuid4()),
        },
    ),
    "accounts:deactivate": Row(person("buyer"), ADMIN_ONLY, ADMIN_ACTS),
    "accounts:deactivate@self": Row(person("colleague"), (L, F, F, F, F, F, F, F), (L,) + (F,) * 7),
    "accounts:deactivate@stranger": Row(person("stranger"), ADMIN_NOT_FOUND, ADMIN_NOT_FOUND),
    "accounts:deactivate@staff": Row(person("site_admin"), ADMIN_NOT_FOUND, ADMIN_NOT_FOUND),
    "accounts:reactivate": Row(person("deactivated"), POST_ONLY, ADMIN_ACTS),
    "accounts:reactivate@stranger": Row(person("stranger_colleague"), POST_ONLY, ADMIN_NOT_FOUND),
    "accounts:resend": Row(person("invited"), POST_ONLY, ADMIN_ACTS, body=lambda w: {"version": 1}),
    "accounts:resend@stranger": Row(
        person("stranger"), POST_ONLY, ADMIN_NOT_FOUND, body=lambda w: {"version": 1}
    ),
    "accounts:revoke": Row(person("invited"), POST_ONLY, ADMIN_ACTS, body=lambda w: {"version": 1}),
    "accounts:revoke@staff": Row(
        person("site_admin"), POST_ONLY, ADMIN_NOT_FOUND, body=lambda w: {"version": 1}
    ),
    # each person's own API tokens (My account > API tokens): made there, shown once
    "api_tokens:list": Row(
        none,
        EVERYONE,
        (L, 200, 200, 200, 200, 200, 200, 200),  # the page again, with the new key on it
        body=lambda w: {"name": "Procurement", "expiry": "30", "submission": str(uuid.uuid4())},
    ),
    "api_tokens:revoke": Row(  # the buyer's own token: another person's is not found
        lambda w: [w.token.pk], POST_ONLY, (L, L, N, N, N, N, N, N)
    ),
}


@dataclass(frozen=True)
class ApiRow:
    """How to call one URL of the REST API, and the answer each role gets (order of ROLES)
    for each method. Calls send JSON; ``tests/test_permissions.py`` makes each call with
    the role's personal token and again with their session: a token acts as its person."""

    args: Callable[[World], list]
    expect: dict[str, tuple[int, ...]]
    body: Callable[[World], dict] = lambda w: {}
    query: Callable[[World], dict] = lambda w: {}


def _api_lines(*rows) -> list[dict]:
    return [{"sku": sku, "quantity": quantity} for sku, quantity in rows]


def _api_offer(quote: Quote) -> dict:
    return {
        "version": quote.version,
        "expires_on": (timezone.localdate() + timedelta(days=5)).isoformat(),
        "lines": [
            {"line_id": line.pk, "unit_price": "0.75"} for line in quote.lines.order_by("id")
        ],
    }


U, C, OK, MADE = 401, 409, 200, 201  # no valid credentials, conflict, done, created
API_PUBLIC = (OK,) * 8
API_NOT_HERE = (U, M, M, M, M, M, M, M)  # a method the URL does not answer
API_READ = (U, OK, OK, OK, OK, OK, OK, OK)  # lists: each person's own share, maybe empty
API_CONTACTS = (U, OK, OK, OK, OK, OK, N, N)  # the caller's company: staff have none
API_OBJECT = (U, OK, OK, OK, OK, N, N, OK)  # one of the buyer's company's objects
API_PLACE = (U, MADE, MADE, MADE, MADE, MADE, F, F)  # contacts of a company make things
API_BUYERS_OWN = (U, OK, F, F, F, N, N, F)  # only the person who placed or asked

#                     anonymous buyer colleague approver other stranger staff site_admin
API_MATRIX: dict[str, ApiRow] = {
    "api:schema": ApiRow(none, {"get": API_PUBLIC, "post": (M,) * 8}),
    "api:docs": ApiRow(none, {"get": API_PUBLIC, "post": (M,) * 8}),
    "api:redoc": ApiRow(none, {"get": API_PUBLIC, "post": (M,) * 8}),
    "api:orders": ApiRow(
        none,
        {"get": API_READ, "post": API_PLACE},
        body=lambda w: {"lines": _api_lines((unit(w), 3))},
        query=lambda w: {"status": "pending_approval"},
    ),
    "api:order": ApiRow(
        order("waiting"),
        {"get": API_OBJECT, "put": API_BUYERS_OWN, "post": API_NOT_HERE},
        body=lambda w: {"lines": _api_lines((spare(w), 4)), **version("orders", "waiting")(w)},
    ),
    "api:order@cancelled": ApiRow(  # told it can no longer be changed
        order("cancelled"),
        {"put": (U, C, F, F, F, N, N, F)},
        body=lambda w: {"lines": _api_lines((spare(w), 4)), **version("orders", "cancelled")(w)},
    ),
    "api:order_cancel": ApiRow(
        order("waiting"),
        {"get": API_NOT_HERE, "post": API_BUYERS_OWN},
        body=version("orders", "waiting", comment="Ordered twice."),
    ),
    "api:order_cancel@stale": ApiRow(  # the version seen is not the order's any more
        order("waiting"),
        {"post": (U, C, F, F, F, N, N, F)},
        body=lambda w: {"version": w.orders["waiting"].version + 5},
    ),
    "api:order_decide": ApiRow(
        order("waiting"),
        {"get": API_NOT_HERE, "post": (U, F, F, OK, F, N, N, F)},
        body=lambda w: _decide(w.orders["waiting"]),
    ),
    "api:order_decide@site_admin": ApiRow(
        lambda w: [w.admin_order.number],
        {"post": (U, F, F, F, F, N, N, OK)},
        body=lambda w: _decide(w.admin_order),
    ),
    "api:order_fulfil": ApiRow(
        order("approved"),
        {"get": API_NOT_HERE, "post": (U, F, F, F, F, N, N, OK)},
        body=version("orders", "approved"),
    ),
    "api:quotes": ApiRow(
        none,
        {"get": API_READ, "post": API_PLACE},
        body=lambda w: {"lines": _api_lines((unit(w), 3)), "message": "Hi"},
    ),
    "api:quote": ApiRow(quote("requested"), {"get": API_OBJECT, "post": API_NOT_HERE}),
    "api:quote_messages": ApiRow(
        quote("requested"),
        {"get": API_NOT_HERE, "post": (U, MADE, MADE, MADE, MADE, N, N, MADE)},
        body=lambda w: {"body": "Any news?"},
    ),
    "api:quote_messages@withdrawn": ApiRow(  # told the thread is closed
        quote("withdrawn"),
        {"post": (U, C, C, C, C, N, N, C)},
        body=lambda w: {"body": "Any news?"},
    ),
    "api:quote_accept": ApiRow(
        quote("offered"),
        {"get": API_NOT_HERE, "post": API_BUYERS_OWN},
        body=version("quotes", "offered"),
    ),
    "api:quote_offer": ApiRow(
        quote("requested"),
        {"get": API_NOT_HERE, "post": (U, F, F, F, F, N, N, OK)},
        body=lambda w: _api_offer(w.quotes["requested"]),
    ),
    "api:products": ApiRow(
        none, {"get": API_READ, "post": API_NOT_HERE}, query=lambda w: {"sku": unit(w)}
    ),
    "api:company": ApiRow(none, {"get": API_CONTACTS, "post": API_NOT_HERE}),
    "api:contacts": ApiRow(none, {"get": API_CONTACTS, "post": API_NOT_HERE}),
}


def named_urls(patterns=None, namespace=None):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            if ns == "admin":
                continue  # Django admin: Django's own model permissions
            yield from named_urls(pattern.url_patterns, ns or namespace)
        elif pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


# What a request writes whatever its answer, bookkeeping rather than a change anyone
# asked for: the moment a token was last used (a refused call uses it too).
BOOKKEEPING = {"api.ApiToken": {"last_used_at"}}

# One table's row count and a digest of its rows, in an order of their own (no id needed).
TABLE_SUM = {
    "postgresql": "SELECT {i}, count(*), md5(coalesce(string_agg(r, E'\\n' ORDER BY r), '')) "
    "FROM (SELECT ROW({columns})::text AS r FROM {table}) s{i}",
    "sqlite": "SELECT {i}, count(*), group_concat(r, char(10)) "
    "FROM (SELECT quote({columns}) AS r FROM {table} ORDER BY r) s{i}",
}
COLUMN_GLUE = {"postgresql": ", ", "sqlite": ") || ',' || quote("}


def _table_sums_sql(models: list) -> str:
    """One statement: for each model's table, its row count and a digest of its rows."""
    quote = connection.ops.quote_name
    parts = []
    for i, model in enumerate(models):
        left_out = BOOKKEEPING.get(model._meta.label, set())
        columns = [quote(f.column) for f in model._meta.concrete_fields if f.name not in left_out]
        parts.append(
            TABLE_SUM[connection.vendor].format(
                i=i,
                columns=COLUMN_GLUE[connection.vendor].join(columns),
                table=quote(model._meta.db_table),
            )
        )
    return " UNION ALL ".join(parts)


def snapshot() -> dict[str, tuple]:
    """What a refused request must leave as it was: every table of every app, from the
    app registry (a new model is in it without anyone adding it here), in one query."""
    models = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]
    with connection.cursor() as cursor:
        cursor.execute(_table_sums_sql(models))
        return {models[i]._meta.label: (count, digest) for i, count, digest in cursor.fetchall()}


def changed_tables(before: dict, after: dict) -> list[str]:
    """The tables two snapshots differ in."""
    return sorted(label for label in before if before[label] != after[label])
