"""One lock order, kept by code: the helper takes locks in it and refuses to break it.

Two transactions that lock rows in one agreed order never deadlock; the order
is ``core.locks.LOCK_ORDER``, and every lock of the project goes through
``core.locks`` so that code asking for rows out of order fails its first test.
"""

import ast
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from approvals.models import ApprovalStep, StepStatus
from approvals.services import approval_company_reroute
from catalog.models import Product
from companies.models import Company, User
from core import locks
from core.locks import LOCK_ORDER, UNDER_ORDER, LockOrderError, lock, lock_noted, lock_one
from orders.models import MonthlySpend, Order, OrderStatus
from orders.services import order_lock
from quotations.models import Quote, QuoteStatus
from tests.approvals.factories import source_example
from tests.factories import BuyerFactory, OrderFactory, ProductFactory, StaffFactory

pytestmark = pytest.mark.django_db


def step_of(order: Order) -> ApprovalStep:
    return ApprovalStep.objects.create(
        order=order,
        sequence=1,
        minimum=Decimal("100.00"),
        status=StepStatus.OPEN,
        opened_at=timezone.now(),
    )


def quote_of(buyer: User) -> Quote:
    return Quote.objects.create(
        company=buyer.company, requested_by=buyer, status=QuoteStatus.REQUESTED
    )


def locked_tables(queries) -> list[str]:
    """The tables the captured statements locked, in the order they were locked."""
    return [
        q["sql"].split(" FROM ", 1)[1].split()[0].strip('"')
        for q in queries
        if " FOR UPDATE" in q["sql"] or " FOR NO KEY UPDATE" in q["sql"]
    ]


def test_the_agreed_order_is_written_once_and_names_real_models():
    position = {label: i for i, label in enumerate(LOCK_ORDER)}
    agreed = ["companies.Company", "quotations.Quote", "orders.Order", "orders.OrderLine"]
    agreed += ["approvals.ApprovalStep", "approvals.StepApprover"]
    assert [position[label] for label in agreed] == sorted(position[label] for label in agreed)
    assert len(set(LOCK_ORDER)) == len(LOCK_ORDER)
    assert set(LOCK_ORDER) > UNDER_ORDER
    for label in LOCK_ORDER:
        assert apps.get_model(label)._meta.label == label


def test_the_helper_locks_in_the_agreed_order_whatever_order_it_is_asked_in():
    order = OrderFactory(status=OrderStatus.PENDING_APPROVAL)
    step = step_of(order)

    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        steps, orders, companies = lock(
            ApprovalStep.objects.filter(order=order),
            Order.objects.filter(pk=order.pk),
            Company.objects.filter(pk=order.company_id),
        )

    assert locked_tables(captured.captured_queries) == [
        Company._meta.db_table,
        Order._meta.db_table,
        ApprovalStep._meta.db_table,
    ]
    assert (steps, orders, companies) == ([step], [order], [order.company])


def test_a_service_locking_out_of_order_is_refused_and_changes_nothing():
    # given an order waiting for approval under tiers that have changed since
    example = source_example()
    order = example.place("2500.00")
    example.approver1.is_active = False
    example.approver1.save(update_fields=["is_active"])
    admin = StaffFactory()

    # when a re-route (which locks the company) runs after the order was locked
    refused = pytest.raises(LockOrderError, match="companies.Company asked after orders.Order")
    with refused, transaction.atomic():
        order_lock(order_id=order.pk)
        approval_company_reroute(company_id=example.company.pk, actor=admin)

    # then it was refused before it moved anything
    order.refresh_from_db()
    assert (order.status, order.version) == (OrderStatus.PENDING_APPROVAL, 1)
    assert order.events.count() == 1
    # and in the agreed order the same re-route goes through
    with transaction.atomic():
        assert approval_company_reroute(company_id=example.company.pk, actor=admin) == [order]


def test_a_quote_asked_after_its_order_is_refused():
    buyer = BuyerFactory()
    order, quote = OrderFactory(company=buyer.company, placed_by=buyer), quote_of(buyer)

    with pytest.raises(LockOrderError), transaction.atomic():
        lock_one(Order.objects.filter(pk=order.pk))
        lock_one(Quote.objects.filter(pk=quote.pk))

    with transaction.atomic():
        lock_one(Quote.objects.filter(pk=quote.pk))
        lock_one(Order.objects.filter(pk=order.pk))


def test_rows_under_an_order_are_locked_only_under_its_order():
    order = OrderFactory(status=OrderStatus.PENDING_APPROVAL)
    step_of(order)

    with pytest.raises(LockOrderError, match="under its order"), transaction.atomic():
        lock(ApprovalStep.objects.filter(order=order))

    with transaction.atomic():
        order_lock(order_id=order.pk)
        lock(ApprovalStep.objects.filter(order=order))


def test_a_walk_locks_each_order_and_what_is_under_it_before_the_next():
    first, second = OrderFactory(), OrderFactory()
    step_of(first)
    step_of(second)

    with transaction.atomic():
        for order in (first, second):
            order_lock(order_id=order.pk)
            lock(ApprovalStep.objects.filter(order=order))
        # a month's spend after the steps: rows under an order do not move the mark
        lock_noted(MonthlySpend)

    with pytest.raises(LockOrderError), transaction.atomic():
        order_lock(order_id=first.pk)
        lock_noted(MonthlySpend)
        order_lock(order_id=second.pk)  # an order after the spend could wait in a circle


def test_rows_held_already_may_be_locked_again_and_no_others():
    buyer, other = BuyerFactory(), BuyerFactory()

    with transaction.atomic():
        lock(Company.objects.filter(pk=buyer.company_id))
        lock(User.objects.filter(pk=buyer.pk))
        lock(Company.objects.filter(pk=buyer.company_id))  # waits for nothing: held

    with pytest.raises(LockOrderError), transaction.atomic():
        lock(Company.objects.filter(pk=buyer.company_id))
        lock(User.objects.filter(pk=buyer.pk))
        lock(Company.objects.filter(pk=other.company_id))


def test_each_transaction_starts_with_nothing_held():
    order = OrderFactory()

    with transaction.atomic():
        order_lock(order_id=order.pk)
    with transaction.atomic():
        lock(Company.objects.filter(pk=order.company_id))


@pytest.mark.django_db(transaction=True)
def test_each_real_transaction_starts_with_nothing_held_after_a_commit_or_a_rollback():
    order = OrderFactory()

    with transaction.atomic():
        order_lock(order_id=order.pk)
    with transaction.atomic():
        lock(Company.objects.filter(pk=order.company_id))
        order_lock(order_id=order.pk)
    with pytest.raises(LookupError), transaction.atomic():
        order_lock(order_id=order.pk)
        raise LookupError
    with transaction.atomic():
        lock(Company.objects.filter(pk=order.company_id))


def test_a_lock_that_never_waits_is_not_checked():
    order = OrderFactory(status=OrderStatus.PENDING_APPROVAL)
    step = step_of(order)

    with transaction.atomic():
        lock_noted(MonthlySpend)
        assert lock(ApprovalStep.objects.filter(pk=step.pk), skip_locked=True) == [[step]]


def test_a_model_left_out_of_the_order_cannot_be_locked():
    product = ProductFactory()

    with pytest.raises(LockOrderError, match="not in core.locks.LOCK_ORDER"), transaction.atomic():
        lock(Product.objects.filter(pk=product.pk))


@pytest.mark.django_db(transaction=True)
def test_a_lock_needs_the_callers_transaction():
    order = OrderFactory()

    with pytest.raises(RuntimeError, match="transaction"):
        order_lock(order_id=order.pk)


def test_a_batch_lets_each_use_case_keep_the_order_on_its_own():
    first, second = OrderFactory(), OrderFactory()

    with locks.batch():
        with transaction.atomic():
            order_lock(order_id=first.pk)
        with transaction.atomic():
            lock(Company.objects.filter(pk=second.company_id))
            order_lock(order_id=second.pk)


def _row_locks(path: Path) -> list[int]:
    """Lines of ``path`` that lock rows with ``select_for_update`` of their own."""
    tree = ast.parse(path.read_text(), str(path))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr == "select_for_update"
    ]


def test_every_row_lock_goes_through_the_helper():
    # Outbox rows are claimed with SKIP LOCKED and otherwise locked one table at a time,
    # in transactions of their own: they never wait with another lock held.
    allowed = {Path("core/locks.py")}
    outbox = Path("notifications")
    root = Path(settings.BASE_DIR)
    found = {}
    for path in root.rglob("*.py"):
        relative = path.relative_to(root)
        if (
            relative.parts[0] in {".venv", "tests", "node_modules"}
            or "migrations" in relative.parts
        ):
            continue
        if relative in allowed or relative.parts[0] == outbox.name:
            continue
        if lines := _row_locks(path):
            found[str(relative)] = lines
    assert found == {}, "lock rows with core.locks.lock, which keeps the lock order"
