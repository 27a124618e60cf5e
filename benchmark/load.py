"""Load over HTTP: gunicorn with the production settings, a mix of people, on loopback.

The server runs the portal as production does (DEBUG off, manifest static
files, persistent connections) except for the TLS redirect and secure cookies,
which plain HTTP on loopback cannot use, and with BENCHMARK on, so that it
routes the baseline view. The driver is a pool of threads, each a person with
a session cookie (sessions are written straight into the database, so no
password is hashed on the way in) and a CSRF cookie.

Phases alternate: baseline, mix, baseline, mix; the baseline requests only the
bare view, the mix is buyers browsing and placing orders, approvers clearing
their queue and quotes being answered. Every order the server says it placed
is checked afterwards: it exists, with the total of its lines at catalog price.
"""

import http.client
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db.models import Q
from django.urls import reverse

from approvals.models import StepApprover
from catalog.models import Product
from companies.models import User
from orders.models import Order
from quotations.models import MESSAGE_STATUSES, Quote

from .data import PERSONAS
from .inprocess import percentile

HOST = "127.0.0.1"
PLACED = re.compile(r"/orders/(PO-\d+)/$")
TIMEOUT = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    """A gunicorn started for the run, stopped by its own PID."""

    process: subprocess.Popen
    port: int
    pidfile: str

    @classmethod
    def start(cls, *, workers: int, env: dict[str, str], pidfile: str, log) -> "Server":
        port = free_port()
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "b2bportal.wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            "--pid",
            pidfile,
            "--no-control-socket",
            "--log-level",
            "warning",
            "--timeout",
            "60",
        ]
        process = subprocess.Popen(command, env=env, cwd=settings.BASE_DIR)
        server = cls(process=process, port=port, pidfile=pidfile)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {process.returncode}")
            try:
                with socket.create_connection((HOST, port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            server.stop()
            raise RuntimeError("gunicorn did not start within 30 s")
        log(f"  gunicorn with {workers} workers on {HOST}:{port} (pid {process.pid})")
        return server

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if os.path.exists(self.pidfile):
            os.unlink(self.pidfile)


def session_cookie(user: User) -> str:
    """A logged-in session for ``user``, as the login view would leave it."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    # the backend that checks passwords (django-axes' comes first, and only watches)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


@dataclass
class Person:
    user: User
    cookie: str
    csrf: str = field(default_factory=lambda: secrets.token_hex(16))

    @classmethod
    def log_in(cls, user: User) -> "Person":
        return cls(user=user, cookie=session_cookie(user))

    @property
    def headers(self) -> dict[str, str]:
        return {
            "Host": f"{HOST}",
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={self.cookie}; "
            f"{settings.CSRF_COOKIE_NAME}={self.csrf}",
        }


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    placed: list[tuple[str, Decimal]] = field(default_factory=list)
    approved: int = 0
    messages: int = 0
    elapsed: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, elapsed: float, ok: bool, what: str = "") -> None:
        with self.lock:
            self.latencies.append(elapsed)
            if not ok:
                self.errors += 1
                if len(self.error_samples) < 10:
                    self.error_samples.append(what)


class Client:
    def __init__(self, port: int, person: Person, stats: Stats):
        self.port = port
        self.person = person
        self.stats = stats

    def request(self, method: str, path: str, data: dict | None = None, expect=(200,)):
        body = urlencode(data) if data is not None else None
        headers = self.person.headers
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        status, location = 0, ""
        try:
            connection = http.client.HTTPConnection(HOST, self.port, timeout=TIMEOUT)
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            status, location = response.status, response.getheader("Location", "")
            connection.close()
        except OSError as exc:
            location = repr(exc)
        elapsed = time.perf_counter() - started
        ok = status in expect
        self.stats.record(elapsed, ok, f"{method} {path} -> {status} {location}")
        return ok, location

    def get(self, path: str) -> bool:
        return self.request("GET", path)[0]

    def post(self, path: str, data: dict, expect=(302,)):
        return self.request("POST", path, {**data, "csrfmiddlewaretoken": self.person.csrf}, expect)


@dataclass
class World:
    """Who acts in the mix, and on what; prepared before the clock starts."""

    buyers: list[Person]
    approvers: list[Person]
    desk: Person
    baseline_people: list[Person]
    orders_of: dict[int, list[str]]
    steps: deque
    quotes: list[str]
    prices: dict[str, Decimal]


def prepare(*, steps_wanted: int = 5_000) -> World:
    buyers = [User.objects.get(email=PERSONAS.buyer), User.objects.get(email=PERSONAS.buyer2)]
    buyers += list(
        User.objects.filter(company__isnull=False, job_title="Buyer")
        .exclude(company_id=buyers[0].company_id)
        .order_by("?")[:6]
    )
    approver_users = [
        User.objects.get(email=PERSONAS.approver),
        User.objects.get(email=PERSONAS.approver2),
    ]
    orders_of = {
        b.pk: list(
            Order.objects.filter(company_id=b.company_id)
            .order_by("-created_at")
            .values_list("number", flat=True)[:50]
        )
        for b in buyers
    }
    links = (
        StepApprover.objects.filter(approver__in=approver_users, is_open=True)
        .select_related("step__order")
        .order_by("step__opened_at", "step_id")[:steps_wanted]
    )
    seen = set()
    steps = deque()
    for link in links:
        if link.step_id not in seen:
            seen.add(link.step_id)
            steps.append((link.step.order.number, link.step_id, link.step.order.version))
    quotes = list(
        Quote.objects.filter(status__in=list(MESSAGE_STATUSES))
        .filter(~Q(number=PERSONAS.thread_quote))
        .order_by("-last_activity_at")
        .values_list("number", flat=True)[:200]
    )
    prices = dict(Product.objects.filter(is_active=True).values_list("sku", "unit_price")[:2_000])
    staff = User.objects.get(email=PERSONAS.staff)
    return World(
        buyers=[Person.log_in(u) for u in buyers],
        approvers=[Person.log_in(u) for u in approver_users],
        desk=Person.log_in(staff),
        baseline_people=[Person.log_in(u) for u in buyers[:4]],
        orders_of=orders_of,
        steps=steps,
        quotes=quotes,
        prices=prices,
    )


def _buyer_browse(client: Client, world: World, rng: random.Random) -> None:
    numbers = world.orders_of[client.person.user.pk]
    client.get(reverse("home"))
    client.get(reverse("orders:list"))
    if numbers:
        client.get(reverse("orders:detail", args=[rng.choice(numbers)]))


def _buyer_order(client: Client, world: World, rng: random.Random, stats: Stats) -> None:
    client.get(reverse("orders:create"))
    n = rng.randint(1, 10)
    skus = rng.sample(list(world.prices), n)
    data = {
        "lines-TOTAL_FORMS": str(n),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "100",
    }
    total = Decimal("0.00")
    for i, sku in enumerate(skus):
        quantity = rng.randint(1, 10)
        data[f"lines-{i}-sku"] = sku
        data[f"lines-{i}-quantity"] = str(quantity)
        total += world.prices[sku] * quantity
    ok, location = client.post(reverse("orders:create"), data)
    match = PLACED.search(location or "")
    if ok and match:
        with stats.lock:
            stats.placed.append((match.group(1), total))
    elif ok:
        stats.record(0.0, False, f"order POST redirected to {location}")


def _approver(client: Client, world: World, rng: random.Random, stats: Stats) -> None:
    client.get(reverse("approvals:queue"))
    try:
        number, step, version = world.steps.popleft()
    except IndexError:
        client.get(reverse("home"))
        return
    client.get(reverse("approvals:order", args=[number]))
    ok, location = client.post(
        reverse("approvals:decide", args=[number]),
        {"step": step, "version": version, "decision": "approve", "comment": ""},
    )
    if ok and location.rstrip("/").endswith(reverse("approvals:queue").rstrip("/")):
        with stats.lock:
            stats.approved += 1
    elif ok:
        stats.record(0.0, False, f"decision on {number} redirected to {location}")


def _desk(client: Client, world: World, rng: random.Random, stats: Stats) -> None:
    client.get(reverse("quotations:desk"))
    if not world.quotes:
        return
    number = rng.choice(world.quotes)
    client.get(reverse("quotations:detail", args=[number]))
    ok, _location = client.post(
        reverse("quotations:message", args=[number]),
        {"body": "We can do this price for the full quantity."},
    )
    if ok:
        with stats.lock:
            stats.messages += 1


def _run_phase(*, port: int, world: World, mix: bool, seconds: float, users: int) -> Stats:
    stats = Stats()
    deadline = time.monotonic() + seconds

    def person_loop(index: int) -> None:
        rng = random.Random(1_000 + index)
        if not mix:
            client = Client(port, world.baseline_people[index % len(world.baseline_people)], stats)
            while time.monotonic() < deadline:
                client.get(reverse("baseline"))
            return
        # Half the people are buyers; the rest approvers and the quote desk.
        role = index % 4
        if role in (0, 1):
            buyer = world.buyers[index % len(world.buyers)]
            client = Client(port, buyer, stats)
            while time.monotonic() < deadline:
                if rng.random() < 0.4:
                    _buyer_order(client, world, rng, stats)
                else:
                    _buyer_browse(client, world, rng)
        elif role == 2:
            client = Client(port, world.approvers[index % len(world.approvers)], stats)
            while time.monotonic() < deadline:
                _approver(client, world, rng, stats)
        else:
            client = Client(port, world.desk, stats)
            while time.monotonic() < deadline:
                _desk(client, world, rng, stats)

    threads = [threading.Thread(target=person_loop, args=(i,)) for i in range(users)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stats.elapsed = time.monotonic() - started
    return stats


def _summary(phases: list[Stats]) -> dict:
    latencies = [x for s in phases for x in s.latencies]
    elapsed = sum(s.elapsed for s in phases)
    requests = len(latencies)
    return {
        "requests": requests,
        "seconds": round(elapsed, 1),
        "throughput_rps": round(requests / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "errors": sum(s.errors for s in phases),
        "error_samples": [e for s in phases for e in s.error_samples][:10],
    }


def verify(placed: list[tuple[str, Decimal]]) -> dict:
    """Every order the server said it placed exists, with the right total."""
    found = dict(
        Order.objects.filter(number__in=[number for number, _total in placed]).values_list(
            "number", "total"
        )
    )
    missing = [number for number, _total in placed if number not in found]
    wrong = [number for number, total in placed if number in found and found[number] != total]
    return {"checked": len(placed), "missing": len(missing), "wrong_total": len(wrong)}


def run(
    *, seconds: float, users: int, workers: int, env: dict[str, str], pidfile: str, log=print
) -> dict:
    world = prepare()
    server = Server.start(workers=workers, env=env, pidfile=pidfile, log=log)
    try:
        # Warm every worker (imports, connections, templates) before the clock starts.
        _run_phase(port=server.port, world=world, mix=False, seconds=2, users=users)
        warm = _run_phase(port=server.port, world=world, mix=True, seconds=2, users=users)
        baseline, mix = [], [warm]
        half = seconds / 2
        for _ in range(2):
            baseline.append(
                _run_phase(port=server.port, world=world, mix=False, seconds=half, users=users)
            )
            mix.append(
                _run_phase(port=server.port, world=world, mix=True, seconds=half, users=users)
            )
            log(
                f"  baseline {len(baseline[-1].latencies) / baseline[-1].elapsed:.0f} req/s, "
                f"mix {len(mix[-1].latencies) / mix[-1].elapsed:.0f} req/s"
            )
    finally:
        server.stop()
    timed_mix = mix[1:]
    mix_summary = _summary(timed_mix)
    base_summary = _summary(baseline)
    placed = [p for s in mix for p in s.placed]
    timed_placed = sum(len(s.placed) for s in timed_mix)
    mix_summary.update(
        orders_placed=timed_placed,
        orders_per_second=round(timed_placed / mix_summary["seconds"], 2)
        if mix_summary["seconds"]
        else 0.0,
        approvals=sum(s.approved for s in timed_mix),
        quote_messages=sum(s.messages for s in timed_mix),
    )
    return {
        "users": users,
        "workers": workers,
        "seconds": seconds,
        "baseline": base_summary,
        "mix": mix_summary,
        "ratio_to_baseline": round(
            mix_summary["throughput_rps"] / base_summary["throughput_rps"], 2
        )
        if base_summary["throughput_rps"]
        else 0.0,
        "verification": verify(placed),
        "server_env": {k: env[k] for k in ("DEBUG", "SECURE_SSL_REDIRECT") if k in env},
    }
