"""The portal through PgBouncer in transaction mode (docs/scaling.md).

Past the connections Postgres allows, the web and worker processes share a few
server connections through PgBouncer: a connection then belongs to a process
only for one transaction. Session state is gone between transactions
(prepared statements, server-side cursors, ``SET``), so the portal runs there
with ``DATABASE_POOLER=transaction``. A second process, as an instance would,
serves pages, places and approves an order and streams a list through a
PgBouncer of the test's own in front of the test database.
"""

import json
import os
import subprocess
import sys
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import connection

from benchmark.cluster import _pgbouncer
from orders.models import Order, OrderStatus
from tests.approvals.factories import source_example

pytestmark = [pytest.mark.postgres, pytest.mark.pgbouncer, pytest.mark.django_db(transaction=True)]

THROUGH_THE_POOLER = """
import json
from django.db import connection
from django.test import Client
from django.urls import reverse
from companies.models import User
from orders.models import Order

buyer, approver = User.objects.get(pk={buyer}), User.objects.get(pk={approver})
seen = {{"server_side_cursors_off": connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"]}}
client = Client()
client.force_login(buyer)
seen["pages"] = [client.get(reverse(name)).status_code for name in ("home", "orders:list")]
placed = client.post(reverse("orders:create"), {{
    "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0",
    "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "100",
    "lines-0-sku": "{sku}", "lines-0-quantity": "{quantity}",
}})
order = Order.objects.filter(placed_by=buyer).latest("id")
seen["placed"] = [placed.status_code, order.number, order.status]
step = order.approval_steps.get(status="open")
approving = Client()
approving.force_login(approver)
decided = approving.post(reverse("approvals:decide", args=[order.number]), {{
    "step": step.pk, "version": order.version, "decision": "approve", "comment": "",
}})
order.refresh_from_db()
seen["approved"] = [decided.status_code, order.status]
# a list read in chunks, as exports do: a server-side cursor would not survive here
seen["streamed"] = sum(1 for _ in Order.objects.order_by("id").iterator(chunk_size=2))
print("RESULT" + json.dumps(seen))
"""


@pytest.fixture
def pooled_url(tmp_path):
    db = connection.settings_dict
    direct = (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    pooler, url = _pgbouncer(tmp_path, direct, log=lambda *_: None)
    try:
        yield url
    finally:
        pooler.stop()


def test_the_portal_works_through_pgbouncer_in_transaction_mode(pooled_url):
    example = source_example()  # the source article's tiers: 2,500.00 waits for the team lead
    before = Order.objects.count()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "b2bportal.settings",
        "DATABASE_URL": pooled_url,
        "DATABASE_POOLER": "transaction",
        "CELERY_BROKER_URL": "",
        "EMAIL_URL": "dummymail://",
        "DEVELOPMENT": "True",
        "ALLOWED_HOSTS": "testserver",
    }
    code = THROUGH_THE_POOLER.format(
        buyer=example.buyer.pk, approver=example.approver1.pk, sku=example.unit.sku, quantity=2500
    )
    done = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.split("RESULT", 1)[1])

    assert urlparse(pooled_url).port != (connection.settings_dict["PORT"] or 5432)
    assert seen["server_side_cursors_off"] is True
    assert seen["pages"] == [200, 200]
    status, number, placed_status = seen["placed"]
    assert (status, placed_status) == (302, OrderStatus.PENDING_APPROVAL)
    assert seen["approved"] == [302, OrderStatus.APPROVED]
    assert Order.objects.get(number=number).status == OrderStatus.APPROVED
    assert seen["streamed"] == before + 1 == Order.objects.count()
