"""A synthetic order book at scale, loaded with COPY.

Every table is written to a tab-separated file in one pass (ids from counters,
numbers with them), then copied in with its secondary indexes and foreign keys
dropped and rebuilt afterwards: the way to load millions of rows in minutes.
The data are consistent by construction (the same shapes the services write),
so the rebuilt constraints validate.

Fixed people and objects the measurements use (see ``Personas``):

- companies 0, 1 and 2 are heavy: each a tenth of the orders up to 50,000,
  half of them placed in the last month (tens of thousands a month at the
  large scale), and up to a thousand contacts; company 0 has one approval tier
  from 1.00 shared by two approvers who have a long queue (thousands of open
  steps), four buyers who place its orders, and a company administrator;
- order 1 is a 20-line order of the first buyer of company 0;
- quote 1 (company 0, offered) has a 50-message thread; quote 2 (requested)
  is where messages are posted.
"""

import json
import os
import random
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.db import connection

from approvals.models import ApprovalStep, ApprovalTier, StepApprover
from catalog.models import Product
from companies.models import Company, User
from companies.roles import SITE_ADMIN_PERMISSIONS
from core.models import Tally
from notifications.models import Notification
from orders.models import SPENT_STATUSES, MonthlySpend, Order, OrderEvent, OrderLine
from quotations.models import Quote, QuoteEvent, QuoteLine, QuoteMessage, QuoteRevision

BENCH_PASSWORD = "bench-password-1"  # noqa: S105 - synthetic accounts on a throwaway database
EMAIL_DOMAIN = "bench.example"


@dataclass(frozen=True)
class Scale:
    name: str
    companies: int
    orders: int
    products: int


SCALES = {
    "tiny": Scale("tiny", companies=4, orders=300, products=60),
    "small": Scale("small", companies=100, orders=10_000, products=500),
    "medium": Scale("medium", companies=1_000, orders=100_000, products=2_000),
    "large": Scale("large", companies=10_000, orders=1_000_000, products=5_000),
}


def email(company: int | None, role: str, n: int) -> str:
    if company is None:
        return f"{role}{n}@{EMAIL_DOMAIN}"
    return f"c{company}.{role}{n}@{EMAIL_DOMAIN}"


@dataclass(frozen=True)
class Personas:
    """Who the measurements act as, and on what."""

    buyer: str = email(0, "buyer", 0)
    buyer2: str = email(0, "buyer", 1)
    approver: str = email(0, "approver", 0)
    approver2: str = email(0, "approver", 1)
    company_admin: str = email(0, "admin", 0)
    staff: str = email(None, "staff", 0)
    detail_order: str = "PO-000001"
    thread_quote: str = "Q-000001"
    post_quote: str = "Q-000002"


PERSONAS = Personas()
BUYERS_PER_COMPANY = 4
NORMAL_TIERS = (Decimal("1000.00"), Decimal("5000.00"), Decimal("20000.00"))
THREAD_MESSAGES = 50
REMINDER_PERIOD = timedelta(hours=settings.APPROVAL_REMINDER_HOURS)


HEAVY_COMPANIES = 3
# The share of a heavy company's orders placed in the last 30 days.
HEAVY_LAST_MONTH = 0.5
# ... at most this share of all orders of the last month (company 0, the others).
HEAVY_MONTH_SHARE = (0.25, 0.15)


def heavy_companies(scale: Scale) -> int:
    return min(HEAVY_COMPANIES, scale.companies)


def heavy_orders(scale: Scale) -> int:
    """Orders of each heavy company."""
    return min(max(scale.orders // 10, 2_000), scale.orders // (2 * heavy_companies(scale)), 50_000)


def heavy_contacts(scale: Scale) -> int:
    """People of each heavy company."""
    return min(1_000, max(scale.orders // 100, 10))


def queue_length(scale: Scale) -> int:
    return min(heavy_orders(scale) // 2, 3_000)


# The order header (orders and quotes): left empty, as the migration that added it did.
NO_HEADER = {
    "po_reference": "",
    "delivery_address_id": None,
    "delivery_to": "",
    "delivery_date": None,
    "cost_centre": "",
    "note_to_seller": "",
}

# --- writing -----------------------------------------------------------------

NULL = "\\N"


def _ts(value: datetime | None) -> str:
    return NULL if value is None else value.isoformat()


def _v(value) -> str:
    if value is None:
        return NULL
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


class Table:
    """One table's rows, written to a TSV file as they are made."""

    def __init__(self, model, columns: list[str], directory: str):
        self.model = model
        self.name = model._meta.db_table
        self.columns = columns
        known = {f.column for f in model._meta.concrete_fields}
        missing = known - set(columns)
        unknown = set(columns) - known
        if missing or unknown:
            raise RuntimeError(
                f"{self.name}: the generator's columns differ from the model "
                f"(missing {sorted(missing)}, unknown {sorted(unknown)})."
            )
        self.path = os.path.join(directory, f"{self.name}.tsv")
        self.file = open(self.path, "w", encoding="utf-8", buffering=1 << 20)  # noqa: SIM115
        self.rows = 0

    def add(self, *values) -> None:
        self.file.write("\t".join(_v(v) for v in values))
        self.file.write("\n")
        self.rows += 1


class M2MTable(Table):
    def __init__(self, table: str, columns: list[str], directory: str):
        self.model = None
        self.name = table
        self.columns = columns
        self.path = os.path.join(directory, f"{table}.tsv")
        self.file = open(self.path, "w", encoding="utf-8", buffering=1 << 20)  # noqa: SIM115
        self.rows = 0


@dataclass
class LoadReport:
    scale: str
    rows: dict[str, int] = field(default_factory=dict)
    generate_seconds: float = 0.0
    copy_seconds: float = 0.0
    index_seconds: float = 0.0
    analyze_seconds: float = 0.0

    @property
    def total_seconds(self) -> float:
        return self.generate_seconds + self.copy_seconds + self.index_seconds + self.analyze_seconds

    def as_dict(self) -> dict:
        return {
            "scale": self.scale,
            "rows": self.rows,
            "generate_seconds": round(self.generate_seconds, 2),
            "copy_seconds": round(self.copy_seconds, 2),
            "index_seconds": round(self.index_seconds, 2),
            "analyze_seconds": round(self.analyze_seconds, 2),
            "total_seconds": round(self.total_seconds, 2),
        }


def _cols(model) -> list[str]:
    return [f.column for f in model._meta.concrete_fields]


class Generator:
    def __init__(self, scale: Scale, directory: str, seed: int = 42):
        self.scale = scale
        self.rng = random.Random(seed)
        self.now = datetime.now(UTC).replace(microsecond=0)
        self.dir = directory
        self.t = {
            "company": Table(Company, _cols(Company), directory),
            "user": Table(User, _cols(User), directory),
            "perm": M2MTable(
                User.user_permissions.through._meta.db_table,
                ["id", "user_id", "permission_id"],
                directory,
            ),
            "product": Table(Product, _cols(Product), directory),
            "tier": Table(ApprovalTier, _cols(ApprovalTier), directory),
            "order": Table(Order, _cols(Order), directory),
            "line": Table(OrderLine, _cols(OrderLine), directory),
            "event": Table(OrderEvent, _cols(OrderEvent), directory),
            "step": Table(ApprovalStep, _cols(ApprovalStep), directory),
            "link": Table(StepApprover, _cols(StepApprover), directory),
            "quote": Table(Quote, _cols(Quote), directory),
            "qline": Table(QuoteLine, _cols(QuoteLine), directory),
            "qrev": Table(QuoteRevision, _cols(QuoteRevision), directory),
            "qmsg": Table(QuoteMessage, _cols(QuoteMessage), directory),
            "qevent": Table(QuoteEvent, _cols(QuoteEvent), directory),
            "notif": Table(Notification, _cols(Notification), directory),
        }
        self.ids = dict.fromkeys(self.t, 0)

    def next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    # People and configuration ---------------------------------------------------

    def people(self) -> None:
        password = make_password(BENCH_PASSWORD)
        joined = self.now - timedelta(days=800)
        self.buyers: list[list[int]] = []
        self.approvers: list[list[int]] = []
        self.tiers: list[list[tuple[Decimal, list[int]]]] = []
        self.names: dict[int, str] = {}

        def user(company, role, n, *, admin=False):
            uid = self.next_id("user")
            name = f"{role.title()} {n} of {company}" if company is not None else f"Staff {n}"
            self.names[uid] = name
            self.t["user"].add(
                *[
                    {
                        "id": uid,
                        "password": password,
                        "last_login": None,
                        "is_superuser": False,
                        "email": email(company, role, n),
                        "full_name": name,
                        "company_id": None if company is None else company + 1,
                        "job_title": role.title(),
                        "is_staff": company is None,
                        "is_active": True,
                        "monthly_limit": None,
                        "is_company_admin": admin,
                        "date_joined": joined,
                    }[c]
                    for c in self.t["user"].columns
                ]
            )
            return uid

        # Site admins with the site-admin work of the portal, granted one by one.
        permissions = [
            Permission.objects.get(content_type__app_label=app, codename=codename).pk
            for app, codename in (
                name.split(".") for name in SITE_ADMIN_PERMISSIONS if not name.startswith("axes.")
            )
        ]
        self.staff = []
        for n in range(3):
            uid = user(None, "staff", n)
            self.staff.append(uid)
            for permission in permissions:
                self.t["perm"].add(self.next_id("perm"), uid, permission)
        for c in range(self.scale.companies):
            cid = self.next_id("company")
            self.t["company"].add(
                *[
                    {
                        "id": cid,
                        "name": f"Company {c:05d}",
                        "slug": f"company-{c:05d}",
                        "is_active": True,
                        "approval_mode": "respective",
                        "approval_links_need_login": False,
                        "monthly_budget": None,
                        "billing_address": "",
                        "vat_id": "",
                        "payment_terms": "",
                        "details_version": 1,
                        "created_at": joined,
                    }[col]
                    for col in self.t["company"].columns
                ]
            )
            self.buyers.append([user(c, "buyer", n) for n in range(BUYERS_PER_COMPANY)])
            if c < heavy_companies(self.scale):
                if c == 0:
                    user(c, "admin", 0, admin=True)
                others = heavy_contacts(self.scale) - BUYERS_PER_COMPANY - (c == 0)
                for n in range(max(others, 0)):
                    user(c, "contact", n)
            if c == 0:
                approvers = [user(c, "approver", n) for n in range(2)]
                tiers = [(Decimal("1.00"), approvers)]
            else:
                approvers = [user(c, "approver", n) for n in range(len(NORMAL_TIERS))]
                tiers = [(m, [a]) for m, a in zip(NORMAL_TIERS, approvers, strict=True)]
            self.approvers.append(approvers)
            self.tiers.append(tiers)
            for minimum, people in tiers:
                for approver in people:
                    self.t["tier"].add(
                        *[
                            {
                                "id": self.next_id("tier"),
                                "company_id": cid,
                                "approver_id": approver,
                                "minimum": minimum,
                                "label": "",
                                "created_at": joined,
                            }[col]
                            for col in self.t["tier"].columns
                        ]
                    )

    def products(self) -> None:
        self.prices: list[Decimal] = []
        self.skus: list[str] = []
        self.product_names: list[str] = []
        for n in range(self.scale.products):
            pid = self.next_id("product")
            price = Decimal(self.rng.randrange(200, 20_000)) / 100
            sku = f"BEN-{n:05d}"
            self.prices.append(price)
            self.skus.append(sku)
            self.product_names.append(f"Bench product {n:05d}")
            self.t["product"].add(
                *[
                    {
                        "id": pid,
                        "sku": sku,
                        "name": self.product_names[-1],
                        "description": "",
                        "category": f"Category {n % 20:02d}",
                        "unit_price": price,
                        "is_active": True,
                        "updated_at": self.now,
                    }[col]
                    for col in self.t["product"].columns
                ]
            )

    # Orders ---------------------------------------------------------------------

    def _order_companies(self) -> list[int]:
        """Which company places each order, oldest first (orders are evenly spread in
        time): the heavy companies place up to ``HEAVY_LAST_MONTH`` of theirs in the
        last month's share of the year; company 0's newest are those waiting."""
        scale, rng = self.scale, self.rng
        heavy, n_heavy = heavy_companies(scale), heavy_orders(scale)
        late_slots = scale.orders // 12
        early_slots = scale.orders - late_slots
        late, early = [], []
        for c in range(heavy):
            # company 0 (the one measured) the busiest: a quarter of all orders of the month
            share = HEAVY_MONTH_SHARE[0] if c == 0 else HEAVY_MONTH_SHARE[1]
            in_month = min(int(n_heavy * HEAVY_LAST_MONTH), int(late_slots * share))
            late += [c] * in_month
            early += [c] * (n_heavy - in_month)

        def others(count: int) -> list[int]:
            if scale.companies <= heavy:
                return [rng.randrange(scale.companies) for _ in range(count)]
            return [rng.randrange(heavy, scale.companies) for _ in range(count)]

        early += others(early_slots - len(early))
        late += others(late_slots - len(late))
        rng.shuffle(early)
        rng.shuffle(late)
        return early + late

    def orders(self) -> None:
        scale = self.scale
        rng = self.rng
        n_heavy = heavy_orders(scale)
        queue = queue_length(scale)
        companies = self._order_companies()
        # Order 1 is the 20-line order of the bench buyer (company 0).
        if companies[0] != 0:
            swap = companies.index(0)
            companies[0], companies[swap] = companies[swap], companies[0]
        heavy_seen = 0
        span = 365 * 24 * 3600
        start = self.now - timedelta(seconds=span)
        step_seconds = span / max(scale.orders, 1)
        recent = self.now - timedelta(days=10)
        cols = {k: self.t[k].columns for k in ("order", "line", "event", "step", "link", "notif")}
        product_count = scale.products
        for index, company in enumerate(companies):
            oid = self.next_id("order")
            created = start + timedelta(seconds=index * step_seconds + rng.random())
            buyers = self.buyers[company]
            buyer = buyers[0] if oid == 1 else buyers[rng.randrange(len(buyers))]
            n_lines = 20 if oid == 1 else rng.randint(1, 20)
            total = Decimal("0.00")
            for product in rng.sample(range(product_count), n_lines):
                quantity = rng.randint(1, 10)
                price = self.prices[product]
                line_total = price * quantity
                total += line_total
                row = {
                    "id": self.next_id("line"),
                    "order_id": oid,
                    "product_id": product + 1,
                    "quantity": quantity,
                    "unit_price": price,
                    "line_total": line_total,
                }
                self.t["line"].add(*[row[c] for c in cols["line"]])
            # Route as the services do (respective mode: the highest tier reached).
            tier = None
            for minimum, people in self.tiers[company]:
                if minimum <= total:
                    tier = (minimum, people)
            if company == 0:
                heavy_seen += 1
                waiting = heavy_seen > n_heavy - queue
            else:
                waiting = tier is not None and created >= recent and rng.random() < 0.6
            events = []
            if tier is None:
                status, version = "approved", 1
                events.append(("placed", None, "approved", created, buyer, ""))
            elif waiting:
                status, version = "pending_approval", 1
                events.append(("placed", None, "pending_approval", created, buyer, ""))
            else:
                roll = rng.random()
                decided = created + timedelta(hours=2)
                status = "approved" if roll < 0.9 else "rejected"
                version = 2
                events.append(("placed", None, "pending_approval", created, buyer, ""))
                events.append(
                    (status, "pending_approval", status, decided, tier[1][0], "")
                    if status == "approved"
                    else (status, "pending_approval", status, decided, tier[1][0], "Over budget.")
                )
            if status == "approved" and created < recent:
                roll = rng.random()
                if roll < 0.6:
                    status, version = "fulfilled", version + 1
                    events.append(
                        (
                            "fulfilled",
                            "approved",
                            "fulfilled",
                            created + timedelta(days=2),
                            None,
                            "",
                        )
                    )
                elif roll < 0.65:
                    status, version = "cancelled", version + 1
                    events.append(
                        (
                            "cancelled",
                            "approved",
                            "cancelled",
                            created + timedelta(days=1),
                            buyer,
                            "",
                        )
                    )
            updated = events[-1][3]
            row = {
                **NO_HEADER,
                "id": oid,
                "number": f"PO-{oid:06d}",
                "company_id": company + 1,
                "placed_by_id": buyer,
                "status": status,
                "total": total,
                "version": version,
                "quote_number": "",
                "created_at": created,
                "updated_at": updated,
            }
            self.t["order"].add(*[row[c] for c in cols["order"]])
            for kind, from_status, to_status, at, actor, comment in events:
                row = {
                    "id": self.next_id("event"),
                    "order_id": oid,
                    "kind": kind,
                    "actor_id": actor,
                    "from_status": from_status or "",
                    "to_status": to_status,
                    "comment": comment,
                    "channel": "web",
                    "on_behalf_of_id": None,
                    "version": None,
                    "lines": None,
                    "created_at": at,
                }
                self.t["event"].add(*[row[c] for c in cols["event"]])
            if tier is None:
                continue
            minimum, people = tier
            if waiting:
                step_status, decided_by, decided_at, comment = "open", None, None, ""
            else:
                first = events[1]
                step_status = first[0]
                decided_by, decided_at, comment = first[4], first[3], first[5]
            sid = self.next_id("step")
            row = {
                "id": sid,
                "order_id": oid,
                "sequence": 1,
                "minimum": minimum,
                "label": "",
                "note": "",
                "status": step_status,
                "needs_site_admin": False,
                "opened_at": created,
                "remind_at": created + REMINDER_PERIOD if waiting else None,
                "order_version": 1,
                "decided_by_id": decided_by,
                "decided_for_id": None,
                "decided_at": decided_at,
                "comment": comment,
                "created_at": created,
            }
            self.t["step"].add(*[row[c] for c in cols["step"]])
            for approver in people:
                row = {
                    "id": self.next_id("link"),
                    "step_id": sid,
                    "approver_id": approver,
                    "is_open": waiting,
                    "opened_at": created,
                    "amount": total,
                    "on_behalf_of_id": None,
                }
                self.t["link"].add(*[row[c] for c in cols["link"]])
            # One email per routed order: the approvers when it waits, else the buyer.
            recipients = people if waiting else [buyer]
            kind = "order_waiting" if waiting else f"order_{step_status}"
            key = f"order_waiting:{oid}:v1:s{sid}" if waiting else f"{kind}:{oid}:v2"
            for recipient in recipients:
                row = {
                    "id": self.next_id("notif"),
                    "recipient_id": recipient,
                    "kind": kind,
                    "company_id": company + 1,
                    "reference": f"PO-{oid:06d}",
                    "path": f"/orders/PO-{oid:06d}/",
                    "subject": f"Order PO-{oid:06d}",
                    "context": json.dumps({"number": f"PO-{oid:06d}"}),
                    "key": key,
                    "status": "sent",
                    "attempts": 1,
                    "last_error": "",
                    "created_at": created,
                    "claimed_at": created,
                    "sent_at": created,
                    "next_attempt_at": None,
                    # what still waits for the approvers is unread
                    "read_at": None if waiting else created,
                }
                self.t["notif"].add(*[row[c] for c in cols["notif"]])

    # Quotes ---------------------------------------------------------------------

    def quotes(self) -> None:
        scale = self.scale
        rng = self.rng
        count = max(20, scale.orders // 20)
        span = 180 * 24 * 3600
        start = self.now - timedelta(seconds=span)
        cols = {k: self.t[k].columns for k in ("quote", "qline", "qrev", "qmsg", "qevent")}
        statuses = (
            ["requested"] * 25
            + ["offered"] * 25
            + ["accepted"] * 5
            + ["rejected"] * 20
            + ["withdrawn"] * 15
            + ["expired"] * 10
        )
        desk = self.staff[0]
        stale = self.now - timedelta(days=45)
        for index in range(count):
            qid = self.next_id("quote")
            created = start + timedelta(seconds=index * span / count + rng.random())
            if qid in (1, 2):
                company = 0
                status = "offered" if qid == 1 else "requested"
            else:
                company = 0 if rng.random() < 0.05 else rng.randrange(scale.companies)
                status = rng.choice(statuses)
                if created < stale and status in ("requested", "offered", "accepted"):
                    # Offers expire and requests get answered: old quotes are closed.
                    status = rng.choice(["rejected", "withdrawn", "expired"])
            buyer = self.buyers[company][0 if qid <= 2 else rng.randrange(BUYERS_PER_COMPANY)]
            offered = status in ("offered", "accepted", "expired")
            snapshot = []
            for product in rng.sample(range(scale.products), rng.randint(1, 5)):
                quantity = rng.randint(10, 500)
                target = (self.prices[product] * Decimal("0.9")).quantize(Decimal("0.01"))
                offer = (self.prices[product] * Decimal("0.95")).quantize(Decimal("0.01"))
                row = {
                    "id": self.next_id("qline"),
                    "quote_id": qid,
                    "product_id": product + 1,
                    "quantity": quantity,
                    "target_unit_price": target,
                    "offered_unit_price": offer if offered else None,
                }
                self.t["qline"].add(*[row[c] for c in cols["qline"]])
                snapshot.append(
                    {
                        "sku": self.skus[product],
                        "name": self.product_names[product],
                        "quantity": quantity,
                        "catalog_unit_price": str(self.prices[product]),
                        "target_unit_price": str(target),
                        "offered_unit_price": str(offer) if offered else None,
                    }
                )
            revisions = [
                ("requested", buyer, created, [dict(s, offered_unit_price=None) for s in snapshot])
            ]
            if offered:
                revisions.append(("offered", desk, created + timedelta(hours=3), snapshot))
            if qid == 1:
                revisions.append(("countered", buyer, created + timedelta(hours=5), snapshot))
                revisions.append(("offered", desk, created + timedelta(hours=8), snapshot))
            expires = created + timedelta(days=30) if offered else None
            if status == "expired":
                expires = created + timedelta(days=1)
            for number, (kind, author, at, lines) in enumerate(revisions, start=1):
                row = {
                    "id": self.next_id("qrev"),
                    "quote_id": qid,
                    "number": number,
                    "kind": kind,
                    "author_id": author,
                    "lines": json.dumps(lines),
                    "expires_at": expires if kind == "offered" else None,
                    "created_at": at,
                }
                self.t["qrev"].add(*[row[c] for c in cols["qrev"]])
            n_messages = THREAD_MESSAGES if qid == 1 else rng.randint(0, 4)
            last = revisions[-1][2]
            for m in range(n_messages):
                at = created + timedelta(minutes=10 * (m + 1))
                last = max(last, at)
                row = {
                    "id": self.next_id("qmsg"),
                    "quote_id": qid,
                    "author_id": buyer if m % 2 == 0 else desk,
                    "body": f"Message {m + 1} about the quantities and the delivery dates.",
                    "created_at": at,
                }
                self.t["qmsg"].add(*[row[c] for c in cols["qmsg"]])
            events = [("requested", "", "requested", buyer, created)]
            if offered:
                events.append(("offered", "requested", "offered", desk, revisions[1][2]))
            if status in ("rejected", "withdrawn", "expired", "accepted"):
                actor = {"rejected": desk, "withdrawn": buyer, "accepted": buyer}.get(status)
                events.append((status, events[-1][2], status, actor, last + timedelta(hours=1)))
                last = last + timedelta(hours=1)
            for kind, from_status, to_status, actor, at in events:
                row = {
                    "id": self.next_id("qevent"),
                    "quote_id": qid,
                    "kind": kind,
                    "actor_id": actor,
                    "from_status": from_status,
                    "to_status": to_status,
                    "comment": "",
                    "created_at": at,
                }
                self.t["qevent"].add(*[row[c] for c in cols["qevent"]])
            row = {
                **NO_HEADER,
                "id": qid,
                "number": f"Q-{qid:06d}",
                "company_id": company + 1,
                "requested_by_id": buyer,
                "status": status,
                "version": len(revisions) + (1 if status in ("accepted",) else 0),
                "expires_at": self.now + timedelta(days=30) if qid == 1 else expires,
                "order_id": None,
                "last_activity_at": last,
                "created_at": created,
                "updated_at": last,
            }
            self.t["quote"].add(*[row[c] for c in cols["quote"]])

    def run(self) -> dict[str, Table]:
        self.people()
        self.products()
        self.orders()
        self.quotes()
        for table in self.t.values():
            table.file.close()
        return self.t


# --- loading -------------------------------------------------------------------

# Parents before children, so the rebuilt foreign keys find their rows.
LOAD_ORDER = [
    "company",
    "user",
    "perm",
    "product",
    "tier",
    "order",
    "line",
    "event",
    "step",
    "link",
    "quote",
    "qline",
    "qrev",
    "qmsg",
    "qevent",
    "notif",
]


def _secondary(cursor, table: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(constraints, indexes) of a table other than its primary key and checks."""
    cursor.execute(
        """
        SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
        WHERE conrelid = %s::regclass AND contype IN ('u', 'f')
        ORDER BY contype DESC, conname
        """,
        [table],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        """
        SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = %s::regclass AND NOT x.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)
        ORDER BY i.relname
        """,
        [table],
    )
    return constraints, cursor.fetchall()


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def bench_tables_empty() -> bool:
    return (
        not Order.objects.exists()
        and not User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").exists()
    )


def _monthly_spend(cursor) -> None:
    """The running totals the order services keep, summed once from the loaded orders."""
    table, orders = MonthlySpend._meta.db_table, Order._meta.db_table
    spent = "', '".join(SPENT_STATUSES)
    month = "date_trunc('month', created_at AT TIME ZONE %s)::date"
    for buyer in ("NULL::bigint", "placed_by_id"):
        cursor.execute(
            f"INSERT INTO {_quote(table)} (company_id, buyer_id, month, total) "  # noqa: S608
            f"SELECT company_id, {buyer}, {month}, SUM(total) FROM {_quote(orders)} "
            f"WHERE status IN ('{spent}') GROUP BY 1, 2, 3",
            [settings.TIME_ZONE],
        )


def _queue_tallies(cursor) -> None:
    """The approvers' queue tallies the approvals services keep, counted once."""
    links, steps = StepApprover._meta.db_table, ApprovalStep._meta.db_table
    orders = Order._meta.db_table
    cursor.execute(
        f"INSERT INTO {_quote(Tally._meta.db_table)} (name, count, amount, folded) "  # noqa: S608
        "SELECT 'approvals.queue:' || o.company_id || ':' || l.approver_id, "
        "COUNT(*), SUM(l.amount), TRUE "
        f"FROM {_quote(links)} l JOIN {_quote(steps)} s ON s.id = l.step_id "
        f"JOIN {_quote(orders)} o ON o.id = s.order_id "
        "WHERE l.is_open AND l.approver_id <> o.placed_by_id GROUP BY o.company_id, l.approver_id"
    )


def load(scale: Scale, *, log=print) -> LoadReport:
    """Generate and COPY the data set of ``scale`` into the (empty) default database."""
    if not bench_tables_empty():
        raise RuntimeError("The database already holds orders or bench people; use a fresh one.")
    report = LoadReport(scale=scale.name)
    with tempfile.TemporaryDirectory(prefix="b2bbench-") as directory:
        started = time.perf_counter()
        tables = Generator(scale, directory).run()
        report.generate_seconds = time.perf_counter() - started
        report.rows = {tables[k].name: tables[k].rows for k in LOAD_ORDER}
        log(f"  generated {sum(report.rows.values()):,} rows in {report.generate_seconds:.1f} s")
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
            cursor.execute("SET maintenance_work_mem = '1GB'")
            saved = {}
            for key in reversed(LOAD_ORDER):
                name = tables[key].name
                constraints, indexes = _secondary(cursor, name)
                saved[key] = (constraints, indexes)
                for conname, _definition in constraints:
                    cursor.execute(f"ALTER TABLE {_quote(name)} DROP CONSTRAINT {_quote(conname)}")
                for indexname, _definition in indexes:
                    cursor.execute(f"DROP INDEX {_quote(indexname)}")
            started = time.perf_counter()
            for key in LOAD_ORDER:
                table = tables[key]
                columns = ", ".join(_quote(c) for c in table.columns)
                with open(table.path, encoding="utf-8") as handle:
                    cursor.copy_expert(f"COPY {_quote(table.name)} ({columns}) FROM STDIN", handle)
            report.copy_seconds = time.perf_counter() - started
            log(f"  copied in {report.copy_seconds:.1f} s")
            started = time.perf_counter()
            for key in LOAD_ORDER:
                name = tables[key].name
                constraints, indexes = saved[key]
                for _indexname, definition in indexes:
                    cursor.execute(definition)
                for conname, definition in constraints:
                    cursor.execute(
                        f"ALTER TABLE {_quote(name)} ADD CONSTRAINT {_quote(conname)} {definition}"
                    )
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), GREATEST(%s, 1))",
                    [name, max(tables[key].rows, 1)],
                )
            report.index_seconds = time.perf_counter() - started
            log(f"  indexes and constraints rebuilt in {report.index_seconds:.1f} s")
            _monthly_spend(cursor)
            _queue_tallies(cursor)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for key in LOAD_ORDER:
            # As autovacuum would leave them: statistics, and the visibility map that
            # lets covering indexes answer without reading the table.
            # (Inside a transaction, as in the smoke test, only the statistics.)
            vacuum = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            cursor.execute(f"{vacuum} {_quote(tables[key].name)}")
    report.analyze_seconds = time.perf_counter() - started
    return report


def describe(scale: Scale) -> dict:
    """What is in the database now (for a reused one)."""
    from orders.selectors import month_start

    heavy = Company.objects.order_by("id").first()
    return {
        "companies": Company.objects.count(),
        "orders": Order.objects.count(),
        "heavy_company": {
            "orders_this_month": Order.objects.filter(
                company=heavy, created_at__gte=month_start()
            ).count(),
            "orders_last_30_days": Order.objects.filter(
                company=heavy, created_at__gte=datetime.now(UTC) - timedelta(days=30)
            ).count(),
            "contacts": User.objects.filter(company=heavy).count(),
            "waiting": Order.objects.filter(company=heavy, status="pending_approval").count(),
        }
        if heavy
        else {},
    }
