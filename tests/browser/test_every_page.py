"""Every page, as every kind of person, on a desktop and on a phone.

The pages come from the URL resolver: each named URL needs a row in PAGES
saying who opens it with which arguments, or why no browser visits it (a
POST-only action, an htmx fragment). A new URL without a row fails
``test_every_url_has_a_row``, so nobody has to remember to add it here.

On each visit, at 1280 and 360 px wide, the page fails on:
- a Content-Security-Policy violation or any console error;
- an axe-core violation of impact critical, serious or moderate;
- horizontal overflow (the document wider than the viewport);
- at 360 px, its total or primary action (where it has one) not on screen.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from approvals.links import decision_link_token
from companies.demo import DEMO_PASSWORD
from companies.models import Company, User
from orders.models import Order, OrderStatus
from quotations.models import Quote, QuoteStatus
from requisitions.models import RequisitionList

WIDTHS = (1280, 360)
PHONE = 360
AXE_IMPACTS = {"critical", "serious", "moderate"}

ANONYMOUS, BUYER, APPROVER, SITE_ADMIN = "anonymous", "buyer", "approver", "site admin"
LOGINS = {
    BUYER: "buyer1@acme.example",
    APPROVER: "approver2@acme.example",
    SITE_ADMIN: "admin@portal.example",
}


@dataclass(frozen=True)
class Visit:
    """Who opens a URL, how its arguments are found in the demo data, what must show."""

    roles: tuple[str, ...]
    args: Callable[[], list] | None = None
    query: str = ""
    status: int = 200
    # CSS selectors that must be on screen at 360 px: the money and the main action.
    must_show: tuple[str, ...] = ()
    # Django admin is Django's own: CSP and console only, on a desktop.
    admin: bool = False
    per_role: dict[str, Visit] = field(default_factory=dict)


@dataclass(frozen=True)
class NoVisit:
    """Why a URL is not opened here (and where it is covered)."""

    reason: str


POST_ONLY = "a POST-only action; its flows are in test_*_flow.py and the view tests"


# Arguments from the demo data (seed_demo), looked up once the data is there.
def _own_editable_order():
    return [
        Order.objects.filter(
            placed_by__email=LOGINS[BUYER],
            status__in=[OrderStatus.PENDING_APPROVAL, OrderStatus.APPROVED],
            quote_number="",
        )
        .order_by("created_at")
        .first()
        .number
    ]


def _waiting_for_approver():
    return [
        Order.objects.filter(
            status=OrderStatus.PENDING_APPROVAL,
            approval_steps__status="open",
            approval_steps__approvers__email=LOGINS[APPROVER],
        )
        .order_by("created_at")
        .first()
        .number
    ]


def _email_decision_link():
    """The approve link the demo approver's email carries for an order waiting for them."""
    order = Order.objects.get(number=_waiting_for_approver()[0])
    step = order.approval_steps.get(status="open")
    approver = User.objects.get(email=LOGINS[APPROVER])
    return [
        decision_link_token(
            step_id=step.pk, approver_id=approver.pk, version=order.version, decision="approve"
        )
    ]


def _quote(status, *, asked_by: str | None = BUYER):
    """A quote in ``status``; the demo buyer's by default, since the person who asked is
    the one who acts on it."""
    asked = {"requested_by__email": LOGINS[asked_by]} if asked_by else {}
    return lambda: [
        Quote.objects.filter(status=status, **asked).order_by("created_at").first().number
    ]


def _demo_list():
    return [RequisitionList.objects.get(name="Monthly office supplies").pk]


def _company():
    return [Company.objects.get(slug="acme").pk]


def _colleague_of_the_company_admin():
    return [User.objects.get(email="buyer2@acme.example").pk]


LINK_FROM_EMAIL = "opened from an email's link; test_account_flows.py checks its pages"
CSV_FILE = (
    "a CSV download, not a page; tests/orders/test_export.py, tests/quotations/test_export.py"
)


ON_PHONE_ORDER_TOTAL = ("#order-total",)

PAGES: dict[str, Visit | NoVisit] = {
    "home": Visit(
        (BUYER, APPROVER, SITE_ADMIN),
        per_role={
            BUYER: Visit((BUYER,), must_show=("#spend-this-month", "#dash-new-order")),
            APPROVER: Visit((APPROVER,), must_show=("#queue-total", "#dash-queue .money")),
        },
    ),
    "login": Visit((ANONYMOUS,), must_show=("main form button[type=submit]",)),
    "logout": NoVisit(POST_ONLY),
    "catalog:list": Visit((BUYER,), must_show=("tbody .money", "tbody a.btn")),
    "catalog:suggest": NoVisit("an htmx fragment: the SKU field's suggestions (test_suggest.py)"),
    "orders:list": Visit(
        (BUYER, APPROVER, SITE_ADMIN), must_show=("tbody .money", "#order-export")
    ),
    "orders:create": Visit(
        (BUYER,),
        query="?sku=CHR-1001",
        must_show=("#order-total-preview", "button[value=order]"),
    ),
    "orders:export": NoVisit(CSV_FILE),
    "orders:line_row": NoVisit("an htmx fragment of the order form (Add line)"),
    "orders:line_preview": NoVisit("an htmx fragment of the order form (test_orders_flow.py)"),
    "orders:detail": Visit(
        (BUYER, APPROVER, SITE_ADMIN), args=_own_editable_order, must_show=ON_PHONE_ORDER_TOTAL
    ),
    "orders:edit": Visit(
        (BUYER,),
        args=_own_editable_order,
        must_show=("#order-total-preview", "button[value=order]"),
    ),
    "orders:cancel": NoVisit(POST_ONLY),
    "approvals:queue": Visit(
        (BUYER, APPROVER),
        per_role={
            APPROVER: Visit(
                (APPROVER,),
                must_show=(".queue-row .money", ".queue-row button[hx-post]"),
            ),
            BUYER: Visit((BUYER,), must_show=("#not-an-approver",)),
        },
    ),
    "approvals:history": Visit((APPROVER, SITE_ADMIN)),
    "approvals:staff_queue": Visit((SITE_ADMIN,)),
    "approvals:bulk_approve": NoVisit(POST_ONLY),
    "approvals:away": Visit((APPROVER,), must_show=("main form button[type=submit]",)),
    "approvals:away_cancel": NoVisit(POST_ONLY),
    "approvals:order": Visit(
        (APPROVER, SITE_ADMIN),
        args=_waiting_for_approver,
        per_role={
            APPROVER: Visit(
                (APPROVER,),
                args=_waiting_for_approver,
                must_show=("#decide-total", "#decide button[value=approve]"),
            ),
        },
        must_show=ON_PHONE_ORDER_TOTAL,
    ),
    "approvals:decide": NoVisit(POST_ONLY),
    # opened from the email without a login, and by the approver logged in
    "approvals:email_decision": Visit(
        (ANONYMOUS, APPROVER), args=_email_decision_link, must_show=("#decide-total",)
    ),
    "quotations:list": Visit((BUYER,), must_show=("tbody .quote-link", "#quote-export")),
    "quotations:create": Visit((BUYER,), must_show=("main form button[type=submit]",)),
    "quotations:desk": Visit(
        (SITE_ADMIN, BUYER),
        per_role={BUYER: Visit((BUYER,), status=403, must_show=("#error-ways-back a",))},
    ),
    "quotations:detail": Visit(
        (BUYER, SITE_ADMIN),
        args=_quote(QuoteStatus.OFFERED),
        per_role={
            BUYER: Visit(
                (BUYER,),
                args=_quote(QuoteStatus.OFFERED),
                must_show=("#quote-offered-total", "#quote-actions .btn-success"),
            ),
            SITE_ADMIN: Visit(
                (SITE_ADMIN,),
                args=_quote(QuoteStatus.REQUESTED, asked_by=None),
                must_show=("#quote-requested-total", "#offer button[type=submit]"),
            ),
        },
    ),
    "quotations:edit": Visit(
        (BUYER,), args=_quote(QuoteStatus.OFFERED), must_show=("main form button[type=submit]",)
    ),
    "quotations:export": NoVisit(CSV_FILE),
    "quotations:message": NoVisit(POST_ONLY),
    "quotations:offer": NoVisit(POST_ONLY),
    "quotations:withdraw": NoVisit(POST_ONLY),
    "quotations:accept": NoVisit(POST_ONLY),
    "quotations:place_order": NoVisit(POST_ONLY),
    "quotations:accept_as_requested": NoVisit(POST_ONLY),
    "quotations:reject": NoVisit(POST_ONLY),
    "requisitions:list": Visit((BUYER, APPROVER), must_show=("#list-new", "#shared-lists")),
    "requisitions:create": Visit((BUYER,), must_show=("#requisition-form button[type=submit]",)),
    "requisitions:add": Visit(
        (BUYER,), query="?sku=CHR-1001", must_show=("#add-to-list button[type=submit]",)
    ),
    "requisitions:detail": Visit(
        (BUYER, APPROVER),
        args=_demo_list,
        must_show=("#requisition-total", "#requisition-order"),
    ),
    "requisitions:edit": Visit(
        (BUYER,), args=_demo_list, must_show=("#requisition-form button[type=submit]",)
    ),
    "requisitions:lines": NoVisit(POST_ONLY),
    "requisitions:delete": NoVisit(POST_ONLY),
    "requisitions:order": NoVisit("a redirect to the order form, filled in (test_lists_flow.py)"),
    "notifications:list": Visit((BUYER, SITE_ADMIN)),
    "notifications:preferences": NoVisit("moved: redirects to accounts:preferences"),
    # accounts: the demo buyer (Dana Diaz) is Acme's company administrator
    "accounts:login_code": NoVisit("a step of a login with two-factor: test_account_flows.py"),
    "accounts:password_reset": Visit((ANONYMOUS,), must_show=("main form button[type=submit]",)),
    "accounts:password_reset_done": Visit((ANONYMOUS,)),
    "accounts:password_reset_confirm": NoVisit(LINK_FROM_EMAIL),
    "accounts:password_reset_complete": Visit((ANONYMOUS,)),
    "accounts:invitation": NoVisit(LINK_FROM_EMAIL),
    # without a link opened in this browser: the page that says so, and the way on
    "accounts:invitation_accept": Visit(
        (ANONYMOUS,), args=lambda: [1], must_show=("#invitation-problem a.btn",)
    ),
    "accounts:invitation_renew": NoVisit(POST_ONLY),
    "accounts:account": Visit(
        (BUYER, APPROVER, SITE_ADMIN), must_show=("#profile-form button[type=submit]",)
    ),
    "accounts:password_change": Visit(
        (BUYER, SITE_ADMIN), must_show=("#password-change-form button[type=submit]",)
    ),
    "accounts:preferences": Visit((BUYER, SITE_ADMIN)),
    "accounts:two_factor": Visit(
        (BUYER, SITE_ADMIN), must_show=("#two-factor-setup button[type=submit]",)
    ),
    "accounts:two_factor_qr": NoVisit("the QR code image of the two-factor page"),
    "accounts:two_factor_off": NoVisit(POST_ONLY),
    "accounts:recovery_codes": NoVisit(POST_ONLY),
    "accounts:people": Visit(
        (BUYER, APPROVER),
        must_show=("#invite-colleague", "#people .person-actions .btn"),
        per_role={APPROVER: Visit((APPROVER,), status=403, must_show=("#error-ways-back a",))},
    ),
    "accounts:company": Visit(
        (BUYER, APPROVER),
        must_show=("#company-details-form button[type=submit]",),
        per_role={APPROVER: Visit((APPROVER,), must_show=("#company-details",))},
    ),
    "accounts:invite": Visit((BUYER,), must_show=("#invite-form button[type=submit]",)),
    "accounts:deactivate": Visit(
        (BUYER,),
        args=_colleague_of_the_company_admin,
        must_show=("#deactivate-form button[type=submit]",),
    ),
    "accounts:reactivate": NoVisit(POST_ONLY),
    "accounts:resend": NoVisit(POST_ONLY),
    "accounts:revoke": NoVisit(POST_ONLY),
    # My account > API tokens (the key shown once: test_api_flows.py)
    "api_tokens:list": Visit(
        (BUYER, APPROVER, SITE_ADMIN), must_show=("#token-form button[type=submit]",)
    ),
    "api_tokens:revoke": NoVisit(POST_ONLY),
    "notifications:read": NoVisit(POST_ONLY),
    "notifications:read_all": NoVisit(POST_ONLY),
    # Django admin: a sample of its pages as the site admin; the rest are Django's.
    "admin:index": Visit((SITE_ADMIN,), admin=True),
    "admin:orders_order_changelist": Visit((SITE_ADMIN,), admin=True),
    "admin:companies_company_change": Visit((SITE_ADMIN,), args=_company, admin=True),
    "admin:axes_accessattempt_changelist": Visit((SITE_ADMIN,), admin=True),
    "admin:accounts_invitation_changelist": Visit((SITE_ADMIN,), admin=True),
    "admin:companies_user_add": Visit((SITE_ADMIN,), admin=True),
    "admin:api_apitoken_changelist": Visit((SITE_ADMIN,), admin=True),
}
# Every other page of Django admin is Django's own, like those sampled above.
PREFIXES = {
    "admin:": NoVisit("Django admin, sampled by the admin: rows above"),
    # JSON for other systems, and drf-spectacular's documentation pages (Swagger UI,
    # Redoc): tests/api/ and tests/browser/test_api_flows.py
    "api:": NoVisit("the REST API and its documentation: tests/api/, test_api_flows.py"),
}
# A URL no pattern has, for the 404 page, as everybody.
NOT_FOUND = "/no-such-page/"


def _url_names(resolver: URLResolver | None = None, namespace: str = "") -> set[str]:
    names = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= _url_names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}{entry.name}")
    return names


def _row(name: str) -> Visit | NoVisit | None:
    if name in PAGES:
        return PAGES[name]
    return next((row for prefix, row in PREFIXES.items() if name.startswith(prefix)), None)


def test_every_url_has_a_row():
    missing = sorted(name for name in _url_names() if _row(name) is None)
    assert not missing, f"Say in PAGES who opens these pages (or why none): {missing}"
    stale = sorted(set(PAGES) - _url_names())
    assert not stale, f"PAGES names URLs that no longer exist: {stale}"


def _visits_for(role: str) -> list[tuple[str, Visit]]:
    visits = []
    for name, row in PAGES.items():
        if isinstance(row, Visit) and role in row.roles:
            visits.append((name, row.per_role.get(role, row)))
    return visits


# --- the browser side ---------------------------------------------------------------

CSP_LISTENER = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const what = e.blockedURI || "inline";
  window.__csp.push(`${e.violatedDirective} blocked ${what} at ${e.sourceFile}:${e.lineNumber}`);
});
"""

ON_SCREEN = """(selector) => {
  const el = document.querySelector(selector);
  if (!el) return "missing";
  const box = el.getBoundingClientRect();
  if (box.width === 0 || box.height === 0) return "not displayed";
  if (box.left < 0 || box.right > window.innerWidth + 0.5) {
    return `off screen (${Math.round(box.left)}..${Math.round(box.right)} px)`;
  }
  let node = el.parentElement;
  while (node) {
    const style = getComputedStyle(node);
    if (style.overflowX !== "visible") {
      const outer = node.getBoundingClientRect();
      const outside = box.left < outer.left - 0.5 || box.right > outer.right + 0.5;
      if (outside) return "scrolled out of sight";
    }
    node = node.parentElement;
  }
  return "";
}"""


@dataclass
class Problems:
    found: list[str] = field(default_factory=list)

    def add(self, where: str, what: str) -> None:
        self.found.append(f"{where}: {what}")


class Tab:
    """One person's browser tab, recording what goes wrong on the pages it opens."""

    def __init__(self, browser, live_server, problems: Problems, axe: Axe):
        self.base = live_server.url
        self.problems = problems
        self.axe = axe
        self.context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
        self.context.add_init_script(CSP_LISTENER)
        allowed = urlparse(self.base).netloc
        self.context.route(
            "**/*",
            lambda route: (
                route.continue_()
                if urlparse(route.request.url).netloc in ("", allowed)
                else route.abort()
            ),
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.console: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.console.append(f"page error: {exc}"))
        self.expected_status = 200

    def _console(self, message) -> None:
        if message.type != "error":
            return
        # Chromium reports the page's own 403/404 status; the status is checked itself.
        own = message.location.get("url", "") == self.page.url
        if own and self.expected_status != 200 and "Failed to load resource" in message.text:
            return
        self.console.append(message.text)

    def login(self, email: str) -> None:
        self.page.goto(f"{self.base}/accounts/login/")
        self.page.get_by_label("Email address").fill(email)
        self.page.get_by_label("Password").fill(DEMO_PASSWORD)
        self.page.get_by_role("button", name="Log in").click()
        self.page.wait_for_load_state()

    def check(self, path: str, visit: Visit) -> None:
        """Open the page once, then look at it at each width."""
        self.console.clear()
        self.expected_status = visit.status
        self.page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        response = self.page.goto(self.base + path)
        if response.status != visit.status:
            self.problems.add(path, f"status {response.status}, expected {visit.status}")
        for width in WIDTHS if not visit.admin else WIDTHS[:1]:
            where = f"{path} at {width} px"
            if width != WIDTHS[0]:
                self.page.set_viewport_size({"width": width, "height": 900})
            if not visit.admin:
                self._look(where, width, visit)
        for violation in self.page.evaluate("window.__csp || []"):
            self.problems.add(path, f"CSP violation: {violation}")
        for text in self.console:
            self.problems.add(path, f"console: {text}")

    def _look(self, where: str, width: int, visit: Visit) -> None:
        results = self.axe.run(self.page)
        for v in results.response["violations"]:
            if v["impact"] in AXE_IMPACTS:
                targets = [n["target"] for n in v["nodes"]][:3]
                self.problems.add(where, f"axe {v['impact']} {v['id']}: {targets}")
        scroll_width = self.page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            self.problems.add(where, f"scrolls sideways: {scroll_width} px wide")
        if width == PHONE:
            for selector in visit.must_show:
                trouble = self.page.evaluate(ON_SCREEN, selector)
                if trouble:
                    self.problems.add(where, f"{selector} {trouble}")

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def demo_data(live_server):
    call_command("seed_demo", stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", [ANONYMOUS, BUYER, APPROVER, SITE_ADMIN])
def test_every_page_is_clean_on_a_desktop_and_a_phone(role, browser, live_server, demo_data):
    # given the demo data and the pages this person opens
    visits = [
        (
            reverse(name, args=visit.args() if visit.args else None) + visit.query,
            visit,
        )
        for name, visit in _visits_for(role)
    ]
    if role == ANONYMOUS:
        # anything behind the login lands on the login page
        visits.append((reverse("orders:list"), Visit((ANONYMOUS,))))
    visits.append((NOT_FOUND, Visit((role,), status=404, must_show=("#error-ways-back a",))))
    problems = Problems()

    # when each is opened, and looked at 1280 and 360 px wide
    tab = Tab(browser, live_server, problems, Axe())
    if role != ANONYMOUS:
        tab.login(LOGINS[role])
    for path, visit in visits:
        tab.check(path, visit)
    tab.close()

    # then nothing went wrong on any of them
    assert not problems.found, "\n".join(problems.found)
