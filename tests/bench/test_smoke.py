"""The benchmark's code at a tiny scale, so that `make bench` does not rot between runs."""

import json
import time

import pytest

from benchmark import data, inprocess, report
from benchmark.management.commands.bench import bench_database_url
from orders.models import Order, OrderLine

pytestmark = pytest.mark.postgres


@pytest.mark.django_db
@pytest.mark.urls("tests.bench.urls")  # with BENCHMARK on, as `make bench` runs it
def test_tiny_benchmark_loads_measures_and_reports(tmp_path):
    started = time.monotonic()
    # given a tiny data set copied into the test database
    loaded = data.load(data.SCALES["tiny"], log=lambda *_: None)
    assert Order.objects.count() == data.SCALES["tiny"].orders
    assert OrderLine.objects.filter(order__number=data.PERSONAS.detail_order).count() == 20
    assert loaded.rows["orders_order"] == data.SCALES["tiny"].orders

    # when every row is measured with a couple of requests
    measured = inprocess.measure(requests=2, warmup=1, log=lambda *_: None)

    # then each row has its timings, its query count and no error
    names = [row["name"] for row in measured["rows"]]
    assert names[0] == "baseline"
    assert {"order detail", "approver queue", "quote desk", "place a 10-line order"} <= set(names)
    assert {"API: order list", "API: order detail", "API: place a 10-line order"} <= set(names)
    assert {"order search (a product's name)", "order a 20-line requisition list"} <= set(names)
    for row in measured["rows"]:
        assert row["requests"] == 2
        assert row["median_ms"] > 0 and row["p95_ms"] >= row["median_ms"]
        assert isinstance(row["queries"], int) and row["queries"] > 0, row
        assert row["errors"] == 0, row
    assert Order.objects.count() > data.SCALES["tiny"].orders  # orders were placed

    # and the report is written as JSON and rendered as tables with the targets
    result = {"scale": "tiny", "data": loaded.as_dict(), "inprocess": measured}
    path = report.write(result, tmp_path)
    assert json.loads(path.read_text())["inprocess"]["rows"][0]["ratio"] == 1.0
    text = report.render(report.load_all(tmp_path), "tiny")
    assert "place a 10-line order" in text and "targets:" in text
    assert time.monotonic() - started < 60


def test_bench_database_is_never_the_developers(monkeypatch):
    monkeypatch.delenv("BENCH_DATABASE_URL", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgres://app@db.internal:5433/b2bportal")
    assert bench_database_url("large") == "postgres://app@db.internal:5433/b2bportal_bench_large"
    monkeypatch.setenv("DATABASE_URL", "sqlite:///var/db.sqlite3")
    assert bench_database_url("small").endswith("/b2bportal_bench_small")


@pytest.mark.django_db
def test_the_load_drivers_people_are_logged_in_as_a_login_would_leave_them(client):
    # the HTTP load writes sessions straight into the database; the portal must take them
    from django.conf import settings

    from benchmark import load
    from tests.factories import BuyerFactory

    buyer = BuyerFactory()
    client.cookies[settings.SESSION_COOKIE_NAME] = load.session_cookie(buyer)

    response = client.get("/")

    assert response.status_code == 200
    assert response.wsgi_request.user == buyer
