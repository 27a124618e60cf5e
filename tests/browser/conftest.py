"""Playwright on Debian's Chromium against the live server, network closed.

Every request the page makes to anything but the live server is aborted and
recorded; a test fails if its page tried to reach the internet.
"""

import io
import os
from urllib.parse import urlparse

import pytest
from django.core.management import call_command

from benchmark.chromium import CHROMIUM_ARGS, CHROMIUM_PATH
from companies.models import User
from tests.factories import PASSWORD

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM_PATH,
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture
def page(page, live_server):
    """A page that may only talk to the live server."""
    allowed = urlparse(live_server.url).netloc
    outside: list[str] = []

    def guard(route):
        netloc = urlparse(route.request.url).netloc
        if netloc and netloc != allowed:
            outside.append(route.request.url)
            return route.abort()
        return route.continue_()

    page.context.route("**/*", guard)
    page.set_default_timeout(10_000)
    yield page
    assert not outside, f"the page tried to reach the internet: {outside}"


@pytest.fixture
def login(page, live_server):
    def do(user, password: str = PASSWORD):
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Email address").fill(user.email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        return page

    return do


@pytest.fixture
def demo(live_server):
    """The demo data of ``seed_demo``, people by email."""
    call_command("seed_demo", stdout=io.StringIO())
    return {user.email: user for user in User.objects.all()}
