"""The database cut under a running server, then back: 503s meanwhile, nothing lost.

A gunicorn of the test's own reaches the test database through a TCP proxy the
test controls (the machine's Postgres is shared, and never stopped). A buyer
keeps placing orders, each form with its own one-time key, while the proxy is
cut — every connection dropped, new ones refused, as during a restart of
Postgres — and restored. Meanwhile people get the portal's 503 page and API
clients its JSON error, both with ``Retry-After``; the server logs the outage
once and its end once, with no traceback; afterwards the forms that were
refused are sent again and each order exists exactly once, whole.
"""

import contextlib
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count, Sum

from api.services import api_token_create
from benchmark.load import HOST, Person, free_port
from core.outage import RETRY_AFTER_SECONDS
from orders.models import Order
from tests.factories import BuyerFactory, ProductFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class Proxy:
    """A TCP proxy in front of Postgres: ``cut`` drops every connection and refuses new
    ones, at once; ``restore`` listens again on the same port."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = free_port()
        self.lock = threading.Lock()
        self.sockets: set[socket.socket] = set()
        self.listener: socket.socket | None = None

    def open(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((HOST, self.port))
        listener.listen(64)
        listener.settimeout(0.1)
        with self.lock:
            self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # closed by ``cut``
            with self.lock:  # a pair is either made before a cut, and dropped by it, or never
                if self.listener is not listener:
                    client.close()
                    return
                try:
                    upstream = socket.create_connection(self.target)
                except OSError:
                    client.close()
                    continue
                self.sockets |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with self.lock:
                self.sockets -= {source, sink}
            for sock in (source, sink):
                _close(sock)

    def cut(self) -> None:
        with self.lock:
            if self.listener is not None:
                self.listener.close()  # connecting is refused from now on
            self.listener = None
            dropped, self.sockets = self.sockets, set()
        for sock in dropped:  # open connections end, inside a transaction or not
            _close(sock)

    def restore(self) -> None:
        self.open()


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: str


@dataclass
class Browser:
    """A logged-in buyer's requests, without following redirects."""

    port: int
    person: Person
    api_key: str
    seen: list[int] = field(default_factory=list)

    def send(self, method: str, path: str, data: dict | None = None, api=False) -> Answer:
        headers = {"Host": HOST}
        if api:
            headers["Authorization"] = f"Bearer {self.api_key}"
        else:
            headers.update(self.person.headers)
        body = None
        if data is not None:
            body = urlencode({**data, "csrfmiddlewaretoken": self.person.csrf})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            answer = Answer(
                response.status,
                {k.lower(): v for k, v in response.getheaders()},
                response.read().decode(),
            )
        finally:
            conn.close()
        self.seen.append(answer.status)
        return answer


def _order_form(sku: str, key: str) -> dict:
    return {
        "submission": key,
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "100",
        "lines-0-sku": sku,
        "lines-0-quantity": "4",
    }


def _start_server(database_url: str, log_path, pidfile) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "b2bportal.settings",
        "DATABASE_URL": database_url,
        "DEVELOPMENT": "True",
        "ALLOWED_HOSTS": HOST,
        "CELERY_BROKER_URL": "",
        "EMAIL_URL": "dummymail://",
        "LOG_LEVEL": "INFO",
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "b2bportal.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        "1",
        "--threads",
        "4",
        "--pid",
        str(pidfile),
        "--no-control-socket",
        "--log-level",
        "warning",
    ]
    with open(log_path, "w") as log:
        server = subprocess.Popen(  # noqa: S603
            command, env=env, cwd=settings.BASE_DIR, stdout=log, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, log_path.read_text()[-3000:]
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return server, port
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise AssertionError("gunicorn did not start")


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _until(condition, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "waited in vain"
        time.sleep(0.05)


def test_a_database_cut_under_a_running_server_answers_503_and_loses_nothing(tmp_path):
    # given a buyer of a running portal that reaches its database through a proxy
    buyer = BuyerFactory()
    product = ProductFactory(unit_price="2.50")
    _token, api_key = api_token_create(user=buyer, name="outage", days=None)
    db = connection.settings_dict
    proxy = Proxy((db["HOST"] or HOST, int(db["PORT"] or 5432)))
    proxy.open()
    log_path = tmp_path / "server.log"
    server, port = _start_server(
        f"postgres://{db['USER']}@{HOST}:{proxy.port}/{db['NAME']}", log_path, tmp_path / "pid"
    )
    browser = Browser(port, Person.log_in(buyer), api_key)
    placing = Browser(port, browser.person, api_key)
    sent: dict[str, int] = {}
    stop = threading.Event()

    def place_orders():
        while not stop.is_set():
            key = str(uuid.uuid4())
            sent[key] = placing.send("POST", "/orders/new/", _order_form(product.sku, key)).status

    # three at once, so that the cut finds some of them inside their transaction
    placers = [threading.Thread(target=place_orders) for _ in range(3)]
    try:
        assert browser.send("GET", "/").status == 200
        for placer in placers:
            placer.start()
        _until(lambda: list(sent.values()).count(302) >= 3)

        # when the database goes away
        proxy.cut()
        page = browser.send("GET", "/orders/?status=approved")
        api = browser.send("GET", "/api/v1/orders/", api=True)
        _until(lambda: 503 in sent.values())
        time.sleep(2)
        refused_meanwhile = len(browser.seen) + len(placing.seen)

        # and comes back
        proxy.restore()
        _until(lambda: browser.send("GET", "/").status == 200)
        placed_before = list(sent.values()).count(302)
        _until(lambda: list(sent.values()).count(302) >= placed_before + 3)
        stop.set()
        for placer in placers:
            placer.join()

        # then people got the portal's page, and API clients its JSON, with Retry-After
        assert page.status == 503
        assert page.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
        assert "We are back in a moment" in page.body
        assert 'id="outage-nav"' in page.body
        assert 'href="/orders/?status=approved"' in page.body  # try again
        assert api.status == 503
        assert api.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
        assert api.headers["content-type"] == "application/json"
        error = json.loads(api.body)
        assert set(error) == {"error", "detail", "fields"}
        assert error["error"] == "service_unavailable"
        # never a 500: placed, refused for the outage, or the page again
        assert set(placing.seen) <= {302, 503}, placing.seen
        assert set(browser.seen) <= {200, 503}, browser.seen

        # every form refused meanwhile, sent again, is saved once
        for key, status in list(sent.items()):
            if status != 302:
                again = placing.send("POST", "/orders/new/", _order_form(product.sku, key))
                assert again.status == 302, again.body[:500]
        assert Order.objects.count() == len(sent)
        for order in Order.objects.annotate(n=Count("lines"), summed=Sum("lines__line_total")):
            assert order.n == 1 and order.total == order.summed == 10
    finally:
        stop.set()
        for placer in placers:
            if placer.is_alive():
                placer.join()
        _stop(server)
        proxy.cut()

    # and the server said so once, and once that it was over: no traceback
    log = log_path.read_text()
    assert "Traceback" not in log, log[-3000:]
    assert log.count("The database cannot be reached (") == 1, log[-3000:]
    assert log.count("The database answers again after ") == 1, log[-3000:]
    assert refused_meanwhile >= 3
