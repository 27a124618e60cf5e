"""One cache for every process: a change made through one is seen through another.

The portal runs as several processes (gunicorn workers, instances behind a
balancer); what it keeps in the cache is keyed on versions the services bump
(``core.caching``). Here a second process, as a second instance would, asks
for a quote while this one holds the quote desk's counts in the cache.
"""

import os
import subprocess
import sys
from urllib.parse import urlparse, urlunparse

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from quotations.selectors import quote_desk_counts
from tests.conftest import test_broker_url
from tests.factories import BuyerFactory, ProductFactory
from tests.quotations.factories import DeskStaffFactory

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ANOTHER_PROCESS = """
from quotations.services import QuoteLineRequest, quote_request
from companies.models import User
quote_request(buyer=User.objects.get(pk={buyer}), lines=[QuoteLineRequest("{sku}", 3)])
"""


def _cache_url() -> str:
    """A Redis database of the tests' own, beside the tests' broker."""
    return urlunparse(urlparse(test_broker_url())._replace(path="/15"))


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _in_another_process(code: str, *, cache_url: str) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "b2bportal.settings",
        "DATABASE_URL": _database_url(),
        "CACHE_URL": cache_url,
        "CELERY_BROKER_URL": "",
        "EMAIL_URL": "dummymail://",
        "DEVELOPMENT": "True",
    }
    command = [sys.executable, "manage.py", "shell", "-c", code]
    subprocess.run(command, env=env, cwd=settings.BASE_DIR, check=True, capture_output=True)  # noqa: S603


def _desk_counts_after_another_process_asks_for_a_quote(cache_url: str) -> tuple[int, int]:
    desk, buyer, product = DeskStaffFactory(), BuyerFactory(), ProductFactory()
    before = quote_desk_counts(user=desk)["seller"]  # now in this process's cache
    code = ANOTHER_PROCESS.format(buyer=buyer.pk, sku=product.sku)
    _in_another_process(code, cache_url=cache_url)
    return before, quote_desk_counts(user=desk)["seller"]


def test_the_quote_desk_sees_a_quote_asked_for_through_another_process(settings):
    url = _cache_url()
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    }
    cache.clear()

    assert _desk_counts_after_another_process_asks_for_a_quote(url) == (0, 1)


def test_a_cache_in_each_process_memory_would_not_see_it(settings):
    """Why production sets CACHE_URL: each process's own memory misses the other's change."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

    assert _desk_counts_after_another_process_asks_for_a_quote("") == (0, 0)
