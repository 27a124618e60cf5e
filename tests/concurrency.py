"""Two actors at once: real threads, each on its own database connection."""

import threading
import time

from django.db import connection

from core.domain import DomainError


def run_at_once(*calls):
    """Run each call in its own thread and connection, released together."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait()
            outcomes[i] = call()
        except DomainError as exc:
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def backend_pid() -> int:
    """The Postgres session of the calling thread's connection."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def waits_for(holder: int, timeout: float = 10.0) -> bool:
    """Whether some session is (or comes within ``timeout`` to be) waiting for a lock that
    the session ``holder`` holds: Postgres says so, no guess from a thread's timing."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while True:
            # inside a transaction the sessions are read once unless the snapshot is dropped
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))",
                [holder],
            )
            if cursor.fetchone()[0]:
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
