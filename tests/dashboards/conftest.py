import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The staff dashboard caches its 30-day figures; each test starts without them."""
    cache.clear()
    yield
    cache.clear()
