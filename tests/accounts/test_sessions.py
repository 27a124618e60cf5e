"""Sessions end after SESSION_IDLE_MINUTES without a request, and cost no write per page."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from accounts import middleware

pytestmark = pytest.mark.django_db


def _session(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_a_session_lives_the_idle_time_from_its_last_use():
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_MINUTES * 60
    assert not settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_using_the_portal_a_minute_later_moves_the_end_on(client, buyer, monkeypatch):
    client.force_login(buyer)
    before = _session(client).expire_date
    client.get(reverse("home"))
    assert _session(client).expire_date == before  # within the minute: no write

    later = time.time() + middleware.REFRESH_SECONDS + 1
    monkeypatch.setattr(middleware.time, "time", lambda: later)
    client.get(reverse("home"))

    assert _session(client).expire_date > before


def test_a_session_unused_for_the_idle_time_is_logged_out(client, buyer):
    client.force_login(buyer)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
