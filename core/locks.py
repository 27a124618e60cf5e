"""The one order in which rows are locked, and the helper that takes every lock.

Two transactions that lock rows in one agreed order never wait for each other
in a circle (a deadlock, which Postgres ends by failing one of them). The
order is ``LOCK_ORDER``, first to last::

    company -> its addresses, cost centres -> invitation -> person -> their tokens,
    devices -> requisition list -> its lines -> delegation -> quote -> order ->
    its lines -> its approval steps -> their approvers -> monthly spend -> tally

``lock`` takes the rows of several querysets in that order, whatever order
they are given in (rows of one model in id order, unless the queryset orders
them), and remembers for the rest of the caller's transaction how far down
the list it has gone. Asking later for a model higher up is a mistake that
could deadlock under load, so ``lock`` refuses it (``LockOrderError``): the
first test that runs such code fails, rather than two customers at once.

Two ways back up the list cannot close a circle, and are allowed:

- rows the transaction holds already (locking them again waits for nothing):
  a company re-routed after its people were deactivated under its lock;
- the rows under an order (``UNDER_ORDER``: its lines, its steps and their
  approvers) are locked only while an order is held, and do not move the mark:
  a service walking several orders (re-routing a company's waiting orders,
  handing an approver's steps to a delegate) locks each order and what is
  under it before the next one, in id order.

A lock that never waits (``skip_locked``) cannot be part of a circle and is
not checked. A lock taken by a statement of the caller's own (an upsert, a raw
``FOR KEY SHARE``) is told to ``lock_noted`` first, and checked the same way.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from asgiref.local import Local
from django.db import models, transaction

LOCK_ORDER: tuple[str, ...] = (
    "companies.Company",
    "companies.DeliveryAddress",
    "companies.CostCentre",
    "accounts.Invitation",
    "companies.User",
    "api.ApiToken",
    "otp_totp.TOTPDevice",
    "requisitions.RequisitionList",
    "requisitions.RequisitionLine",
    "approvals.Delegation",
    "quotations.Quote",
    "orders.Order",
    "orders.OrderLine",
    "approvals.ApprovalStep",
    "approvals.StepApprover",
    "orders.MonthlySpend",
    "core.Tally",
)
ORDER = "orders.Order"
# Locked only while their order is: they may come after rows further down (a month's
# spend) without moving the mark, and start over with each order of a walk.
UNDER_ORDER = frozenset({"orders.OrderLine", "approvals.ApprovalStep", "approvals.StepApprover"})

_POSITION = {label: i for i, label in enumerate(LOCK_ORDER)}
_local = Local()  # one record per connection, as Django keeps its connections


class LockOrderError(RuntimeError):
    """Rows were asked for out of the agreed order: a deadlock waiting to happen."""


@dataclass(eq=False)
class _Held:
    """What the current transaction has locked; forgotten when it commits."""

    scope: tuple
    mark: int = -1  # the furthest position down LOCK_ORDER locked so far
    under: int = -1  # the same among the rows under the order locked last
    rows: dict[str, set | None] = field(default_factory=dict)  # ids; None: not known

    def __call__(self) -> None:  # on commit
        self.rows.clear()


def _is_batch(block) -> bool:
    return block._from_testcase or getattr(block, "lock_batch", False)


def _scope(connection) -> tuple:
    """The transaction the caller's locks live in: the outermost atomic block that is not
    a batch's (``batch``) or a test case's own: a test's use cases are savepoints of one
    transaction, each a transaction of its own in production."""
    blocks = connection.atomic_blocks
    depth = next((i for i, b in enumerate(blocks) if not _is_batch(b)), len(blocks) - 1)
    return (depth, connection.savepoint_ids[depth - 1] if depth else None)


@contextmanager
def batch(using: str | None = None) -> Iterator[None]:
    """One transaction around several use cases, each keeping the lock order on its own.

    For tooling that runs alone (the demo seed): a later use case may lock rows
    higher up the list than an earlier one still holds, which with nobody else
    at work waits for nothing.
    """
    block = transaction.atomic(using=using)
    block.lock_batch = True
    with block:
        yield


def _held(using: str) -> _Held:
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        raise RuntimeError("Rows are locked only inside the caller's transaction.")
    scope = _scope(connection)
    records = getattr(_local, "held", None)
    if records is None:
        records = _local.held = {}
    held = records.get(using)
    # A commit or a rollback drops the hook below: a new transaction starts afresh.
    if (
        held is None
        or held.scope != scope
        or not any(h is held for _s, h, _r in connection.run_on_commit)
    ):
        held = records[using] = _Held(scope=scope)
        transaction.on_commit(held, using=using)
    return held


def _position(label: str) -> int:
    try:
        return _POSITION[label]
    except KeyError:
        raise LockOrderError(
            f"{label} is not in core.locks.LOCK_ORDER: add it where it belongs."
        ) from None


def _check(held: _Held, label: str, ids: Callable[[], Iterable] | None) -> None:
    """Refuse a lock of ``label`` out of order. ``ids`` reads the ids of the rows asked
    for (None: not known); it is asked only when they might be held already."""
    position = _position(label)
    if label in UNDER_ORDER:
        if ORDER not in held.rows:
            raise LockOrderError(f"{label} is locked only under its order's lock.")
        if position < held.under:
            raise LockOrderError(
                f"{label} asked after {LOCK_ORDER[held.under]} of the same order "
                "(see core.locks.LOCK_ORDER)."
            )
        return
    if position >= held.mark:
        return
    known = held.rows.get(label, set())
    if known is not None and ids is not None and set(ids()) <= known:
        return
    raise LockOrderError(
        f"{label} asked after {LOCK_ORDER[held.mark]} in the same transaction "
        "(see core.locks.LOCK_ORDER)."
    )


def _record(held: _Held, label: str, ids: set | None) -> None:
    position = _position(label)
    if label in UNDER_ORDER:
        held.under = max(held.under, position)
    else:
        held.mark = max(held.mark, position)
        if label == ORDER:
            held.under = -1
    known = held.rows.get(label, set())
    held.rows[label] = None if known is None or ids is None else known | ids


def _ids(queryset: models.QuerySet, rows: list) -> set | None:
    """The ids of the rows locked, where their shape shows them."""
    if not rows:
        return set()
    first = rows[0]
    if isinstance(first, models.Model):
        return {row.pk for row in rows}
    names = queryset.query.values_select
    if names and names[0] in ("pk", queryset.model._meta.pk.attname):
        if isinstance(first, dict):
            return {row[names[0]] for row in rows}
        return {row[0] for row in rows} if isinstance(first, tuple) else set(rows)
    return None


def lock(
    *querysets: models.QuerySet,
    of: Sequence[str] = (),
    no_key: bool = False,
    skip_locked: bool = False,
) -> list[list[Any]]:
    """Lock the rows of each queryset in the agreed order; each one's rows, in the order
    the querysets were given.

    Rule: see this module's docstring. ``of``, ``no_key`` and ``skip_locked`` are
    ``select_for_update``'s.
    """
    if not querysets:
        return []
    held = _held(querysets[0].db)
    results: list[list[Any]] = [[] for _ in querysets]
    for i in sorted(range(len(querysets)), key=lambda i: _position(querysets[i].model._meta.label)):
        queryset = querysets[i]
        label = queryset.model._meta.label
        if not skip_locked:
            _check(held, label, lambda q=queryset: q.values_list("pk", flat=True))
        locked = queryset.select_for_update(of=of, no_key=no_key, skip_locked=skip_locked)
        if not locked.ordered:
            locked = locked.order_by("pk")
        results[i] = list(locked)
        _record(held, label, _ids(queryset, results[i]))
    return results


def lock_one(queryset: models.QuerySet, **options) -> Any:
    """Lock the one row of ``queryset`` (``lock``) and return it; as ``get``, it raises
    ``DoesNotExist`` or ``MultipleObjectsReturned`` otherwise."""
    (rows,) = lock(queryset, **options)
    if not rows:
        raise queryset.model.DoesNotExist(f"No {queryset.model._meta.object_name} to lock.")
    if len(rows) > 1:
        raise queryset.model.MultipleObjectsReturned(
            f"{len(rows)} {queryset.model._meta.object_name} rows where one was meant."
        )
    return rows[0]


def lock_first(queryset: models.QuerySet, **options) -> Any | None:
    """Lock the rows of ``queryset`` (``lock``) and return the first, or None."""
    (rows,) = lock(queryset, **options)
    return rows[0] if rows else None


def lock_noted(model: type[models.Model], ids: Iterable | None = None, *, using: str = "default"):
    """Before a statement of the caller's own locks rows of ``model`` (an upsert, a raw
    ``FOR KEY SHARE``): check it comes in the agreed order, and remember it.

    ``ids``: the rows it locks, where the caller knows them.
    """
    held = _held(using)
    label = model._meta.label
    known = None if ids is None else set(ids)
    _check(held, label, None if known is None else lambda: known)
    _record(held, label, known)
