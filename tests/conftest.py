import os
import shutil

import pytest
from django.conf import settings as django_settings

from benchmark.chromium import CHROMIUM_PATH
from benchmark.net import reachable
from tests.factories import (
    BareStaffFactory,
    BuyerFactory,
    CompanyFactory,
    ProductFactory,
    StaffFactory,
)


@pytest.fixture(autouse=True)
def _tasks_in_process(settings):
    """Tasks run in-process unless a test starts a real worker."""
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache (a test's rolled-back data never bumped
    the versions the cache holds)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _tallies_stay_true(request):
    """After every test that wrote to the database: each running count the services keep
    (``core.tallies``) equals a count of what it stands for."""
    if not {"db", "transactional_db", "django_db_setup"} & set(request.fixturenames) and (
        request.node.get_closest_marker("django_db") is None
    ):
        yield
        return
    yield
    from django.db import connection

    from approvals.selectors import approval_tallies_drift

    if connection.needs_rollback:
        return  # the test ended inside a failed transaction, on purpose: nothing to read
    assert approval_tallies_drift() == {}, "a queue tally no longer matches its open steps"


@pytest.fixture
def company():
    return CompanyFactory()


@pytest.fixture
def buyer(company):
    return BuyerFactory(company=company)


@pytest.fixture
def other_company_buyer():
    return BuyerFactory(company=CompanyFactory())


@pytest.fixture
def staff():
    """A site admin (the "Site admins" group)."""
    return StaffFactory()


@pytest.fixture
def site_admin_client(client, staff):
    """A browser logged in as a site admin: the group's permissions, not a superuser's."""
    client.force_login(staff)
    return client


@pytest.fixture
def desk():
    """A site admin on the quote desk."""
    return StaffFactory()


@pytest.fixture
def bare_staff():
    """Staff with no permission of the portal's work."""
    return BareStaffFactory()


@pytest.fixture
def products():
    return [ProductFactory(unit_price=price) for price in ("10.00", "25.50", "100.00")]


DEFAULT_TEST_BROKER = "redis://127.0.0.1:6379/14"


def test_broker_url() -> str:
    return django_settings.CELERY_BROKER_URL or DEFAULT_TEST_BROKER


test_broker_url.__test__ = False


def pytest_collection_modifyitems(config, items):
    """Tests that need a part a bare machine lacks say so, by folder or file name.

    On a developer's machine with only Python they are skipped with the reason;
    in CI every part is there and a skip fails the run (below).
    """
    on_postgres = django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    needs = {
        "postgres": (on_postgres, "needs Postgres (set DATABASE_URL)"),
        "redis": (reachable(test_broker_url()), "needs Redis for a real Celery worker"),
        "browser": (os.path.exists(CHROMIUM_PATH), f"needs Chromium at {CHROMIUM_PATH}"),
        "pgbouncer": (
            bool(shutil.which("pgbouncer")),
            "needs PgBouncer (apt-get install pgbouncer)",
        ),
        "redis_server": (bool(shutil.which("redis-server")), "needs redis-server on the PATH"),
    }
    for item in items:
        path = str(item.fspath).replace(os.sep, "/")
        wanted = set()
        if path.endswith("/test_concurrency.py"):
            wanted.add("postgres")
        if "/tests/browser/" in path:
            wanted.update({"postgres", "browser"})
        wanted.update(name for name in needs if item.get_closest_marker(name))
        if "private_broker" in getattr(item, "fixturenames", ()):
            wanted.add("redis_server")  # a broker of the test's own (tests/notifications)
        for name in sorted(wanted):
            present, reason = needs[name]
            if not present:
                item.add_marker(pytest.mark.skipif(True, reason=reason))


def pytest_sessionfinish(session, exitstatus):
    """In CI a skipped test fails the run: a skip there hides a missing part."""
    if not os.environ.get("CI"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped and exitstatus == 0:
        reporter.write_line(f"CI: {skipped} test(s) skipped; every test must run here.", red=True)
        session.exitstatus = 1
