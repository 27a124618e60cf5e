"""Reads kept in the shared cache, keyed on versions the services bump.

A cached value is stored under its key and the current versions of what it
depends on; the service that changes any of those bumps the version once its
transaction commits, so the next read on any instance of the portal misses and
computes afresh. Versions live in the cache too, which is why the cache must be
shared (Redis, ``CACHE_URL``) as soon as more than one process serves the
portal: a version bumped in one process's local memory is not seen by another.

The order of a read (version first, then value) and of a change (commit first,
then the bump) means no reader can store a value computed before a change
under the version that follows it. (A change also bumps at once, so that the
rest of its own transaction reads what it just wrote.) If the cache is unreachable, reads compute
directly and bumps are lost; ``CACHE_SECONDS`` bounds how long a value can then
outlive a change.
"""

import logging
import secrets
from collections.abc import Callable, Sequence
from typing import Any

from django.core.cache import cache
from django.db import transaction

log = logging.getLogger(__name__)

CACHE_SECONDS = 300
MISSING = object()


def _version_key(name: str) -> str:
    return f"version:{name}"


def _versions(names: Sequence[str]) -> list[str]:
    keys = [_version_key(name) for name in names]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            # never bumped, or evicted: a fresh version, which no stored value carries
            cache.add(key, secrets.token_hex(8), timeout=None)
            found[key] = cache.get(key)
    return [str(found[key]) for key in keys]


def cached(key: str, *, depends_on: Sequence[str], compute: Callable[[], Any]) -> Any:
    """``compute()``, or the value it gave under the current versions of ``depends_on``."""
    try:
        versioned = ":".join([key, *_versions(depends_on)])
        value = cache.get(versioned, MISSING)
    except Exception:  # noqa: BLE001 -- an unreachable cache costs the read, never the page
        log.warning("cache unreachable; computing %s", key, exc_info=True)
        return compute()
    if value is MISSING:
        value = compute()
        try:
            cache.set(versioned, value, CACHE_SECONDS)
        except Exception:  # noqa: BLE001
            log.warning("cache unreachable; %s not kept", key, exc_info=True)
    return value


def bump(*names: str) -> None:
    """Make every value depending on ``names`` stale: now, for the rest of the caller's
    transaction, and again once it commits, for everybody else."""

    def _bump() -> None:
        try:
            cache.set_many({_version_key(name): secrets.token_hex(8) for name in names}, None)
        except Exception:  # noqa: BLE001
            log.warning("cache unreachable; versions of %s not bumped", names, exc_info=True)

    _bump()
    transaction.on_commit(_bump)
