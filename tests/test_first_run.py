"""What a newcomer meets on `make run`: no debug page, links on the right port, no noise."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(code: str, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, *args] if args else [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", ""), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _env_example() -> dict:
    """The variables that `make run` writes to .env on a fresh clone."""
    env = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            env[key] = value
    return env


SETTINGS = "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'b2bportal.settings'; "


def test_the_env_make_run_writes_shows_no_debug_page():
    env = {**_env_example(), "DATABASE_URL": "sqlite:////tmp/first-run-unused.sqlite3"}

    result = _run(
        SETTINGS + "from django.conf import settings as s; print(s.DEBUG, s.SECURE_SSL_REDIRECT)",
        env,
    )

    assert result.returncode == 0, result.stderr
    # no debug page, and plain HTTP still works on localhost
    assert result.stdout.split() == ["False", "False"]


def test_site_url_follows_the_port_the_portal_is_served_on():
    env = {**_env_example(), "PORT": "8123", "HOST": "127.0.0.1"}

    result = _run(SETTINGS + "from django.conf import settings; print(settings.SITE_URL)", env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "http://127.0.0.1:8123"


def test_a_first_migrate_on_sqlite_prints_no_warning(tmp_path):
    env = {**_env_example(), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}

    result = _run("", env, "manage.py", "check")

    assert result.returncode == 0, result.stderr
    assert "W040" not in result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr


def test_seeding_without_a_broker_prints_no_broker_warning(tmp_path):
    env = {**_env_example(), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    migrated = _run("", env, "manage.py", "migrate", "--noinput", "-v", "0")
    assert migrated.returncode == 0, migrated.stderr

    result = _run("", env, "manage.py", "seed_demo")

    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == ""
    assert "hostname" not in result.stdout


def test_make_run_does_not_install_the_test_tools():
    makefile = (ROOT / "Makefile").read_text()
    runtime = makefile.split("$(VENV)/.installed:", 1)[1].split("\n\n", 1)[0]
    assert "install -q -e .\n" in runtime + "\n"
    assert "[test]" not in runtime
    for target in ("test:", "lint:", "screenshots:"):
        assert f"{target} install-test" in makefile
