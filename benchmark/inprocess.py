"""Server time in-process: each page and action through the whole middleware stack.

Requests go through Django's test client (no network), logged in by a real
session, with the baseline view in the same rounds: every round requests each
row once, so a neighbour stealing the CPU slows all rows alike and the ratios
hold. Query counts come from one extra request per row, outside the timings.
"""

import json
import random
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from approvals.models import StepApprover
from catalog.models import Product
from companies.models import User
from orders.services import LineRequest
from requisitions.models import RequisitionList
from requisitions.services import requisition_create

from .data import PERSONAS

BENCH_LIST = "Bench: 20 lines"


@dataclass
class Target:
    name: str
    kind: str  # "baseline", "page" or "action"
    client: Client
    request: Callable[[Client], object]
    expect: int
    times: list[float] = field(default_factory=list)
    db_times: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    queries: int | None = None

    def run(self) -> tuple[float, float]:
        """Time one request; also the part of it spent waiting on the database."""
        spent = [0.0]

        def timed(execute, sql, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                spent[0] += time.perf_counter() - started

        with connection.execute_wrapper(timed):
            started = time.perf_counter()
            response = self.request(self.client)
            elapsed = time.perf_counter() - started
        self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
        return elapsed, spent[0]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def _client(email: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


def _api_client(session: Client, name: str) -> Client:
    """A client sending a personal API token, made as a person makes one: on their API
    tokens page (the key is on that answer only). A reused bench database keeps the last
    run's token of that name: revoked first, on the same page, as a person would."""
    listed = session.get(reverse("api_tokens:list")).content.decode()
    pattern = rf'id="token-(\d+)">\s*<div class="text-break">\s*<strong>{re.escape(name)}</strong>'
    for token_id in re.findall(pattern, listed):
        session.post(reverse("api_tokens:revoke", args=[int(token_id)]))
    page = session.post(reverse("api_tokens:list"), {"name": name, "expiry": "30"})
    key = re.search(r'id="new-token-key" type="text" value="([^"]+)"', page.content.decode())
    if key is None:
        raise RuntimeError(f"No API token was made (status {page.status_code}).")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key[1]}")


def _approvals(approver: User, needed: int) -> list[tuple[str, int, int]]:
    """(order number, step id, version) of open steps ``approver`` may decide, oldest first."""
    links = (
        StepApprover.objects.filter(approver=approver, is_open=True)
        .exclude(step__order__placed_by=approver)
        .select_related("step__order")
        .order_by("step__opened_at", "step_id")[:needed]
    )
    return [(link.step.order.number, link.step_id, link.step.order.version) for link in links]


def _twenty_line_list(owner: User, skus: list[str]) -> RequisitionList:
    """The buyer's list of 20 products, made once (the bench loads no lists)."""
    existing = RequisitionList.objects.filter(owner=owner, name=BENCH_LIST).first()
    if existing is not None:
        return existing
    return requisition_create(
        owner=owner, name=BENCH_LIST, lines=[LineRequest(sku=s, quantity=2) for s in skus]
    )


def build_targets(*, rounds: int, seed: int = 7) -> list[Target]:
    rng = random.Random(seed)
    buyer = _client(PERSONAS.buyer)
    orderer = _client(PERSONAS.buyer2)
    approver = _client(PERSONAS.approver)
    decider_user = User.objects.get(email=PERSONAS.approver2)
    decider = Client()
    decider.force_login(decider_user)
    staff = _client(PERSONAS.staff)
    company_admin = _client(PERSONAS.company_admin)
    skus = list(Product.objects.filter(is_active=True).values_list("sku", flat=True)[:500])
    pending = iter(_approvals(decider_user, rounds + 2))
    twenty_lines = _twenty_line_list(User.objects.get(email=PERSONAS.buyer), skus[:20])
    search_term = Product.objects.get(sku=skus[42 % len(skus)]).name

    def get(url: str):
        return lambda client: client.get(url)

    def place(client: Client):
        data = {
            "lines-TOTAL_FORMS": "10",
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "100",
        }
        for i, sku in enumerate(rng.sample(skus, 10)):
            data[f"lines-{i}-sku"] = sku
            data[f"lines-{i}-quantity"] = str(rng.randint(1, 5))
        return client.post(reverse("orders:create"), data)

    def api_place(client: Client):
        lines = [{"sku": sku, "quantity": rng.randint(1, 5)} for sku in rng.sample(skus, 10)]
        return client.post(
            reverse("api:orders"), json.dumps({"lines": lines}), content_type="application/json"
        )

    api_buyer = _api_client(buyer, "bench reads")
    api_orderer = _api_client(orderer, "bench orders")

    def approve(client: Client):
        number, step, version = next(pending)
        return client.post(
            reverse("approvals:decide", args=[number]),
            {"step": step, "version": version, "decision": "approve", "comment": ""},
        )

    def order_list(client: Client):
        """A 20-line requisition list ordered: to the order form, filled in at today's prices."""
        to_form = client.get(reverse("requisitions:order", args=[twenty_lines.pk]))
        return client.get(to_form.url)

    def post_message(client: Client):
        return client.post(
            reverse("quotations:message", args=[PERSONAS.post_quote]),
            {"body": "Can you deliver half of it next week?"},
        )

    return [
        Target("baseline", "baseline", buyer, get(reverse("baseline")), 200),
        Target("buyer dashboard", "page", buyer, get(reverse("home")), 200),
        Target("my orders", "page", buyer, get(reverse("orders:list") + "?mine=true"), 200),
        Target(
            "order search (a product's name)",
            "page",
            buyer,
            get(reverse("orders:list") + "?" + urlencode({"q": search_term})),
            200,
        ),
        Target(
            "order detail",
            "page",
            buyer,
            get(reverse("orders:detail", args=[PERSONAS.detail_order])),
            200,
        ),
        Target("approver dashboard", "page", approver, get(reverse("home")), 200),
        Target("approver queue", "page", approver, get(reverse("approvals:queue")), 200),
        Target("staff dashboard", "page", staff, get(reverse("home")), 200),
        Target("quote desk", "page", staff, get(reverse("quotations:desk")), 200),
        Target(
            "quote page (50 messages)",
            "page",
            buyer,
            get(reverse("quotations:detail", args=[PERSONAS.thread_quote])),
            200,
        ),
        Target(
            "people (heavy company)", "page", company_admin, get(reverse("accounts:people")), 200
        ),
        Target("API: order list", "page", api_buyer, get(reverse("api:orders")), 200),
        Target(
            "API: order detail",
            "page",
            api_buyer,
            get(reverse("api:order", args=[PERSONAS.detail_order])),
            200,
        ),
        Target("place a 10-line order", "action", orderer, place, 302),
        Target("API: place a 10-line order", "action", api_orderer, api_place, 201),
        Target("order a 20-line requisition list", "action", buyer, order_list, 200),
        Target("approve", "action", decider, approve, 302),
        Target("post a quote message", "action", buyer, post_message, 302),
    ]


def measure(*, requests: int = 60, warmup: int = 5, log=print) -> dict:
    """Time every row ``requests`` times (after ``warmup`` rounds), interleaved; count queries."""
    if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    targets = build_targets(rounds=warmup + requests + 1)
    started = time.perf_counter()
    for round_number in range(warmup + requests):
        for target in targets:
            elapsed, in_db = target.run()
            if round_number >= warmup:
                target.times.append(elapsed)
                target.db_times.append(in_db)
    for target in targets:
        with CaptureQueriesContext(connection) as captured:
            target.run()
        target.queries = len(captured.captured_queries)
    log(f"  {len(targets)} rows x {requests} requests in {time.perf_counter() - started:.1f} s")
    baseline = statistics.median(targets[0].times)
    rows = []
    for target in targets:
        median = statistics.median(target.times)
        errors = sum(n for status, n in target.statuses.items() if status != target.expect)
        rows.append(
            {
                "name": target.name,
                "kind": target.kind,
                "median_ms": round(median * 1000, 2),
                "p95_ms": round(percentile(target.times, 0.95) * 1000, 2),
                "db_ms": round(statistics.median(target.db_times) * 1000, 2),
                "queries": target.queries,
                "ratio": round(median / baseline, 2),
                "requests": len(target.times),
                "statuses": {str(k): v for k, v in sorted(target.statuses.items())},
                "errors": errors,
            }
        )
    return {"requests": requests, "warmup": warmup, "rows": rows}
