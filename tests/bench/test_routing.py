"""/_baseline/ exists only while the benchmark runs."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import NoReverseMatch, resolve, reverse

from benchmark import views

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.django_db
def test_the_baseline_is_not_routed_with_the_default_settings(client, buyer):
    # given a logged-in person (the view would answer them if it were routed)
    client.force_login(buyer)

    # then the address is unknown, and so is its name
    assert settings.BENCHMARK is False
    assert client.get("/_baseline/").status_code == 404
    with pytest.raises(NoReverseMatch):
        reverse("baseline")


@pytest.mark.django_db
@pytest.mark.urls("tests.bench.urls")
def test_the_benchmark_urlconf_serves_the_baseline(client, buyer):
    client.force_login(buyer)

    response = client.get(reverse("baseline"))

    assert resolve("/_baseline/").func is views.baseline
    assert response.status_code == 200
    assert buyer.full_name in response.text


@pytest.mark.parametrize(("value", "routed"), [(None, False), ("False", False), ("True", True)])
def test_the_portal_routes_the_baseline_only_with_benchmark_on(value, routed):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "b2bportal.settings",
        "DEBUG": "True",
    }
    if value is not None:
        env["BENCHMARK"] = value

    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.urls import resolve; "
            "match = resolve('/_baseline/'); print(match.func.__module__, match.url_name)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    if routed:
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == [views.baseline.__module__, "baseline"]
    else:
        assert result.returncode != 0
        assert "Resolver404" in result.stderr


def test_the_bench_refuses_to_measure_without_the_baseline():
    with pytest.raises(CommandError, match="BENCHMARK is off"):
        call_command("bench", "--inside", "--scale", "tiny")
