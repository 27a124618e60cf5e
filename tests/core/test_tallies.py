"""Running counts kept as rows of changes, folded into one row per name."""

import threading
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection, transaction

from core.models import Tally
from core.tallies import Change, Total, tally_add, tally_fold, tally_read
from tests.concurrency import backend_pid, waits_for

pytestmark = pytest.mark.django_db


def test_a_tally_is_the_sum_of_its_changes_and_folding_keeps_it():
    tally_add([Change("a", 1, Decimal("10.00")), Change("a", 1, Decimal("5.50"))])
    tally_add([Change("a", -1, Decimal("-10.00")), Change("b", 3), Change("c", 1)])
    tally_add([Change("c", -1), Change("d", 0)])  # a change of nothing writes nothing

    before = tally_read(["a", "b", "c", "d"])
    folded = tally_fold()

    assert before == {
        "a": Total(1, Decimal("5.50")),
        "b": Total(3, Decimal("0.00")),
        "c": Total(0, Decimal("0.00")),
        "d": Total(),
    }
    assert folded == 3
    assert tally_read(["a", "b", "c", "d"]) == before
    # one row per name, none for a name back at zero
    assert sorted(Tally.objects.values_list("name", "folded")) == [("a", True), ("b", True)]
    assert tally_fold() == 0


def test_folding_is_bounded_per_transaction_and_takes_every_name(monkeypatch):
    monkeypatch.setattr("core.tallies.FOLD_BATCH", 2)
    tally_add([Change(f"n{i}", 1) for i in range(5)] * 2)

    assert tally_fold() == 5
    assert Tally.objects.count() == 5
    assert all(t.count == 2 for t in tally_read([f"n{i}" for i in range(5)]).values())


def test_the_fold_runs_every_minute():
    assert settings.CELERY_BEAT_SCHEDULE["tallies-fold"] == {
        "task": "core.tasks.fold_tallies",
        "schedule": 60,
    }


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_changes_written_while_folds_run_are_neither_lost_nor_counted_twice():
    tally_add([Change("queue", 1, Decimal("1.00"))] * 10)
    folding, written = threading.Event(), threading.Event()

    def write_during_fold():
        # a service's transaction, committing while a fold holds the rows it folds
        try:
            folding.wait(5)
            with transaction.atomic():
                tally_add([Change("queue", 1, Decimal("1.00"))])
            written.set()
        finally:
            connection.close()

    def fold():
        try:
            tally_fold()
        finally:
            connection.close()

    writer = threading.Thread(target=write_during_fold)
    writer.start()
    second = threading.Thread(target=fold)
    with transaction.atomic():
        tally_fold()  # folded, not committed: its rows stay locked until the block ends
        folding.set()
        assert written.wait(5), "a change waited for the fold"
        second.start()  # a second fold at once waits for the first one's rows
        assert waits_for(backend_pid())
    second.join(10)
    writer.join()
    tally_fold()

    assert tally_read(["queue"])["queue"] == Total(11, Decimal("11.00"))
    assert Tally.objects.filter(name="queue", folded=False).count() == 0
