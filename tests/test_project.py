import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from catalog.models import Product
from companies.models import Company, User
from orders.models import Order

ROOT = Path(__file__).resolve().parent.parent


def test_production_settings_pass_the_deploy_check():
    env = {
        "PATH": os.environ.get("PATH", ""),
        # A developer's .env (read too) may say DEVELOPMENT=True; production has none.
        "DEVELOPMENT": "False",
        "DEBUG": "False",
        "SECRET_KEY": "x7!k2p9q-" + "s" * 20 + "-long-random-production-key-0192837465",
        "ALLOWED_HOSTS": "portal.example.com",
        "DATABASE_URL": "postgres://portal@db.example.com:5432/portal",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_hashes_passwords_with_django_s_default_not_the_tests_fast_one():
    # Tests hash with MD5 (tests/settings.py); the portal itself must not.
    env = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "b2bportal.settings"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); "
            "from django.contrib.auth.hashers import make_password; print(make_password('pw'))",
        ],
        cwd=ROOT,
        env={**env, "DEBUG": "True"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("pbkdf2_sha256$")


def test_production_refuses_to_start_without_a_secret_key():
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DEVELOPMENT": "False",
        "DEBUG": "False",
        "ALLOWED_HOSTS": "x.example",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import b2bportal.settings"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing():
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    counts = (
        Company.objects.count(),
        User.objects.count(),
        Product.objects.count(),
        Order.objects.count(),
    )

    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115

    assert counts == (
        Company.objects.count(),
        User.objects.count(),
        Product.objects.count(),
        Order.objects.count(),
    )
    assert Product.objects.count() >= 30
    assert User.objects.filter(company__slug="acme").count() == 5
    assert User.objects.get(email="admin@portal.example").is_staff


@pytest.mark.django_db
def test_demo_logins_work(client):
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    from companies.demo import DEMO_PASSWORD

    response = client.post(
        reverse("login"), {"username": "buyer1@acme.example", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "admin:companies_company_changelist",
        "admin:companies_company_add",
        "admin:companies_user_changelist",
        "admin:companies_user_add",
        "admin:catalog_product_changelist",
        "admin:catalog_product_import",
        "admin:catalog_product_export",
        "admin:orders_order_changelist",
        "admin:notifications_webhookendpoint_changelist",
        "admin:notifications_webhookendpoint_add",
        "admin:notifications_webhookdelivery_changelist",
    ],
)
def test_admin_pages_open_for_site_admins(admin_client, url):
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert admin_client.get(reverse(url)).status_code == 200


@pytest.mark.django_db
def test_admin_order_and_company_pages_open(admin_client):
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    order = Order.objects.first()
    company = Company.objects.get(slug="acme")
    assert (
        admin_client.get(reverse("admin:orders_order_change", args=[order.pk])).status_code == 200
    )
    assert (
        admin_client.get(reverse("admin:companies_company_change", args=[company.pk])).status_code
        == 200
    )


@pytest.mark.django_db
def test_a_site_admin_cannot_also_belong_to_a_company():
    from django.db import IntegrityError

    company = Company.objects.create(name="X", slug="x")
    with pytest.raises(IntegrityError):
        User.objects.create_user(
            "s@example.com", "pw", full_name="S", is_staff=True, company=company
        )


def test_every_scheduled_task_exists():
    from django.conf import settings

    from b2bportal.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


def test_views_read_what_people_send_only_through_forms():
    """A value from a query string or a form reaches a query only after a form (or a
    filter) checked it; views may read the page number and the button pressed."""
    import ast

    allowed = {"page", "action"}
    # django-axes' lockout page shows the login typed back in its form; nothing is queried
    exempt = {"companies/views.py"}
    found = []
    for path in ROOT.glob("*/views.py"):
        if str(path.relative_to(ROOT)) in exempt:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            owner = node.func.value
            reads_request = (
                node.func.attr in ("get", "getlist", "__getitem__")
                and isinstance(owner, ast.Attribute)
                and owner.attr in ("GET", "POST")
            )
            key = (
                node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) else None
            )
            if reads_request and key not in allowed:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} reads {owner.attr}[{key!r}]")
    assert not found, found


def test_views_leave_a_refusal_to_the_one_answer_of_their_channel():
    """No view catches a service's refusal itself: ``core.refusals`` answers it for
    pages and htmx fragments, ``api.errors`` for the API. A view with its own
    ``except`` (of a ``DomainError``, or of everything) starts a second copy of the rule."""
    import ast

    from django.urls import get_resolver

    from core.domain import DomainError

    assert get_resolver().url_patterns  # every view imported: every kind of refusal known
    refusals, kinds = {"Exception", "BaseException"}, [DomainError]
    while kinds:
        kind = kinds.pop()
        refusals.add(kind.__name__)
        kinds.extend(kind.__subclasses__())
    assert {"StaleVersion", "AlreadySubmitted", "DuplicatePoReference"} <= refusals
    views = {*ROOT.glob("*/views.py"), *ROOT.glob("*/views/*.py"), *ROOT.glob("*/*_views.py")}
    assert len(views) > 15
    found = []
    for path in sorted(views):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ExceptHandler):
                continue
            caught = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
            names = {getattr(kind, "id", getattr(kind, "attr", None)) for kind in caught}
            if node.type is None or names & refusals:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} catches {sorted(names)}")
    assert not found, found


def test_compose_scales_web_and_workers_behind_one_balancer():
    """`docker compose up --scale web=N --scale worker=M` (no Docker engine here: read it)."""
    import yaml

    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    balancer_config = (ROOT / "deploy" / "haproxy.cfg").read_text()

    # replicas publish no port (N of them could not share one); the balancer does
    assert "ports" not in services["web"] and "ports" not in services["worker"]
    assert services["balancer"]["ports"] == ["8000:8000"]
    assert "./deploy/haproxy.cfg" in services["balancer"]["volumes"][0]
    assert "server-template web" in balancer_config and "web:8000" in balancer_config
    # every process shares one cache and one broker, and migrations run once first
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["CACHE_URL"].startswith("redis://") and env["CELERY_BROKER_URL"]
        migrate = services[name]["depends_on"]["migrate"]
        assert migrate["condition"] == "service_completed_successfully"
    assert "migrate" not in services["web"]["command"]
    # one beat: it is the only service that runs the schedule
    schedulers = [name for name, s in services.items() if "beat" in str(s.get("command", ""))]
    assert schedulers == ["beat"]
